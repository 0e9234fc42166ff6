using System.Text.Json.Serialization;
using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.WebFront.Protocol;

// The events the hub pushes to clients, serialised as camelCase JSON. docs/protocol.md describes each one; tests pin
// them.

/// <summary>
/// The <c>broadcast_message</c> event, and a message in a join's or a history read's list. <c>msg</c> and
/// <c>nickname</c> are the original's fields; the rest let clients order, deduplicate and detect gaps. The fields after
/// <c>SentAt</c> are left out when they say nothing (no mention, never edited, not deleted, no reaction), so a plain
/// message looks as it always did. A message read from history after an edit, delete or reaction is shown as it now
/// is, with <c>UpdatedSeq</c> naming the last amendment applied.
/// </summary>
public sealed record BroadcastMessage(
    string Msg,
    string Nickname,
    Guid Id,
    long Seq,
    string Room,
    DateTimeOffset SentAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Mentions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Deleted = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ReactionView>? Reactions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long UpdatedSeq = 0)
{
    public static BroadcastMessage From(MessagePosted m) => new(
        m.Text, m.Nickname, m.Id, m.Seq, m.Room, m.At, m.Mentions, m.EditedAt, m.Deleted, ReactionView.From(m.Reactions), m.UpdatedSeq);
}

/// <summary>One emoji on a message: how many reacted with it, and who, in the order they did.</summary>
public sealed record ReactionView(string Emoji, int Count, IReadOnlyList<string> By)
{
    public static IReadOnlyList<ReactionView>? From(IReadOnlyList<MessageReaction>? reactions) =>
        reactions is null ? null : [.. reactions.Select(r => new ReactionView(r.Emoji, r.By.Count, r.By))];
}

/// <summary>
/// The <c>message_updated</c> event, and an entry of a join's <c>updates</c>: message <c>Seq</c> was edited, deleted
/// or reacted to, and this is the whole of its new state. <c>UpdatedSeq</c> is the amendment's own sequence number in
/// the room, after which it comes: a client keeps a message's state with the highest <c>UpdatedSeq</c> it has seen, so
/// an update that arrives twice, or an older copy read from history, changes nothing. <c>By</c> made the change (the
/// author, the member who reacted, or an administrator who deleted the message).
/// </summary>
public sealed record MessageUpdatedEvent(
    string Room,
    long Seq,
    string Nickname,
    string Msg,
    long UpdatedSeq,
    string By,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Mentions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EditedAt,
    bool Deleted,
    IReadOnlyList<ReactionView> Reactions)
{
    /// <summary>From an amendment entry (<see cref="MessagePosted.Amends"/> set).</summary>
    /// <remarks>An amendment is its message's new state numbered as its own entry, so its <c>Seq</c> is the <c>UpdatedSeq</c>.</remarks>
    public static MessageUpdatedEvent From(MessagePosted amendment) => Of(
        amendment with { Seq = amendment.Amends ?? throw new ArgumentException("Not an amendment.", nameof(amendment)), UpdatedSeq = amendment.Seq },
        amendment.By ?? string.Empty);

    /// <summary>The same message state, as an edit, delete or react call returns it.</summary>
    public static MessageUpdatedEvent Of(MessagePosted message, string by) => new(
        message.Room,
        message.Seq,
        message.Nickname,
        message.Text,
        message.UpdatedSeq,
        by,
        message.Mentions,
        message.EditedAt,
        message.Deleted,
        ReactionView.From(message.Reactions) ?? []);
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
