namespace OrleansChat.WebFront.Protocol;

/// <summary>The server-to-client event names. The first two are the original's: external clients depend on them.</summary>
public static class ChatEvents
{
    /// <summary>A notice string such as "ana entrou no chat."; sent for the default room only, as the original did.</summary>
    public const string Notice = "message";

    public const string Broadcast = "broadcast_message";

    /// <summary>A message was edited, deleted or reacted to: its whole new state.</summary>
    public const string MessageUpdated = "message_updated";

    /// <summary>One join or leave.</summary>
    public const string Presence = "presence";

    /// <summary>Several joins and leaves of one room that came within one presence window, in order.</summary>
    public const string PresenceBatch = "presence_batch";

    public const string Typing = "typing";

    /// <summary>The room's history moved to a new epoch (its store went back): its latest messages in the new one.</summary>
    public const string HistoryReset = "history_reset";

    /// <summary>To one member only: an administrator kicked it, or banned it from a room.</summary>
    public const string Removed = "removed";

    /// <summary>To every connection of one user: the user read a room up to a message, on this device or another.</summary>
    public const string ReadPosition = "read_position";

    /// <summary>
    /// To every other connection of one user: another of the user's tabs or devices joined a room, and this connection
    /// now receives it too; the payload is what a join returns.
    /// </summary>
    public const string RoomJoined = "room_joined";

    /// <summary>To every other connection of one user: another of the user's tabs or devices left a room.</summary>
    public const string RoomLeft = "room_left";
}
