namespace OrleansChat.Grains.Storage;

/// <summary>
/// The grain storage providers chat state lives in. History must be durable; presence (who is connected, and
/// through which session) describes live connections, so in a single process it can live in memory.
/// </summary>
public static class ChatStorage
{
    /// <summary>Room logs, history pages, room bans and users' read positions: what must outlive a restart.</summary>
    public const string History = "chat-history";

    /// <summary>Room members, nickname sessions and the room directory.</summary>
    public const string Presence = "chat-presence";
}
