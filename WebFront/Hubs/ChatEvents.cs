namespace OrleansChat.WebFront.Hubs;

/// <summary>The server-to-client event names. The first two are the seed's: external clients depend on them.</summary>
public static class ChatEvents
{
    /// <summary>A notice string such as "ana entrou no chat."; sent for the default room only, as the seed did.</summary>
    public const string Notice = "message";

    public const string Broadcast = "broadcast_message";

    public const string Presence = "presence";

    public const string Typing = "typing";

    /// <summary>To one member only: an administrator kicked it, or banned it from a room.</summary>
    public const string Removed = "removed";
}
