using System.Text.Json.Serialization;
using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.WebFront.Protocol;

// The events the hub pushes to clients, serialised as camelCase JSON. docs/protocol.md describes each one; tests pin
// them.

/// <summary>
/// The <c>broadcast_message</c> event. <c>msg</c> and <c>nickname</c> are the original's fields; the rest let clients
/// order, deduplicate and detect gaps. <c>Mentions</c>, the members the message mentions, is left out when there are
/// none, so a message without a mention looks as it always did.
/// </summary>
public sealed record BroadcastMessage(
    string Msg,
    string Nickname,
    Guid Id,
    long Seq,
    string Room,
    DateTimeOffset SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Mentions = null)
{
    public static BroadcastMessage From(MessagePosted m) => new(m.Text, m.Nickname, m.Id, m.Seq, m.Room, m.At, m.Mentions);
}

/// <summary>
/// The <c>presence</c> event: <c>Kind</c> is <c>joined</c> or <c>left</c>; the room has <c>MemberCount</c> members
/// after it.
/// </summary>
public sealed record PresenceEvent(string Room, string Nickname, string Kind, int MemberCount)
{
    public const string Joined = "joined";
    public const string Left = "left";
}

/// <summary>The <c>presence_batch</c> event: joins and leaves in the order they happened.</summary>
public sealed record PresenceBatchEvent(string Room, IReadOnlyList<PresenceChange> Changes, int MemberCount);

/// <summary>One change in a <c>presence_batch</c>.</summary>
public sealed record PresenceChange(string Nickname, string Kind);

/// <summary>The <c>typing</c> event.</summary>
public sealed record TypingEvent(string Room, string Nickname);

/// <summary>
/// The <c>removed</c> event, sent only to the member an administrator took out of a room. <c>Reason</c> is
/// <c>kicked</c> (the connection closes right after) or <c>banned</c> (from this room only).
/// </summary>
public sealed record RemovedEvent(string Room, string Nickname, string Reason)
{
    public const string Kicked = "kicked";
    public const string Banned = "banned";
}

/// <summary>
/// The room's history is now <see cref="Epoch"/>, stored up to <see cref="LastSeq"/>; <see cref="Messages"/> are its
/// latest messages. Sent when the room's store went back and messages may be missing from history.
/// </summary>
public sealed record HistoryResetEvent(string Room, string Epoch, long LastSeq, IReadOnlyList<BroadcastMessage> Messages);

/// <summary>
/// The <c>read_position</c> event: the user has read <see cref="Room"/> up to <see cref="Seq"/>, on one of their
/// connections (this one included).
/// </summary>
public sealed record ReadPositionEvent(string Room, long Seq);

/// <summary>Another connection of the user left <c>Room</c>: this one no longer receives it.</summary>
public sealed record RoomLeftEvent(string Room);
