namespace OrleansChat.WebFront.Protocol;

/// <summary>Where clients reach the hub: part of the protocol, which the endpoints map and sign-in reads tokens on.</summary>
public static class HubRoute
{
    public const string Path = "/hubs/chat";
}
