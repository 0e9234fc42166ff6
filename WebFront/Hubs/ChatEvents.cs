namespace OrleansChat.WebFront.Hubs;

/// <summary>The server-to-client event names. The seed's names: external clients depend on them.</summary>
public static class ChatEvents
{
    public const string Notice = "message";
    public const string Broadcast = "broadcast_message";
}
