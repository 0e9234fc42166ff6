namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// An entry of a room's log: a message accepted by the room, or an amendment of one. <see cref="Seq"/> starts at 1 and
/// grows by one per entry with no gap and no reuse for the room's lifetime: it is what lets a front or a client tell
/// that it missed something. The one jump is after a <see cref="HistoryRegressed"/>, which starts a new epoch past
/// every number handed out before. <see cref="TraceParent"/> (W3C <c>traceparent</c>) is set only on the stream's copy,
/// and only while tracing is on: the post's trace, which the fronts' fan-out joins. History never stores it.
/// <see cref="Mentions"/> are the room's members the text mentions (<c>@name</c>,
/// <see cref="Rules.ChatRules.MentionedNames"/>), as each spells their nickname, when the message was posted or last
/// edited; null when it mentions none.
/// <para>
/// An amendment (an edit, a delete or a reaction) has <see cref="Amends"/> set to the sequence number of the message it
/// changes, and carries that message's whole new state: its author (<see cref="Nickname"/>), text, mentions, edit time,
/// tombstone and reactions. <see cref="Id"/> is the amendment's own. Being a numbered entry is what makes an amendment
/// reach every client exactly once, whether live, in a gap fill or in a resume; the room also applies it to the message
/// where history keeps it, so a later read shows the message as it now is, with <see cref="UpdatedSeq"/> naming the
/// last amendment applied. A client replaces its copy of a message only with a higher <see cref="UpdatedSeq"/>.
/// </para>
/// </summary>
/// <param name="Owner">
/// Whose message it is, by the rule read positions follow: the account (<c>ReadOwner.Account</c>) when sign-in is on,
/// the session otherwise, so a stranger who later takes a freed nickname cannot edit what its last holder wrote. Never
/// sent to clients. Null on amendments, and on messages stored before messages could be edited: only an administrator
/// can delete those.
/// </param>
/// <param name="By">On an amendment: who made it (the author, the member who reacted, or an administrator).</param>
[GenerateSerializer, Immutable, Alias("OrleansChat.MessagePosted")]
public sealed record MessagePosted(
    string Room,
    DateTimeOffset At,
    [property: Id(0)] Guid Id,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Nickname,
    [property: Id(3)] string Text,
    [property: Id(4)] string? TraceParent = null,
    [property: Id(5)] IReadOnlyList<string>? Mentions = null,
    [property: Id(6)] long? Amends = null,
    [property: Id(7)] long UpdatedSeq = 0,
    [property: Id(8)] DateTimeOffset? EditedAt = null,
    [property: Id(9)] bool Deleted = false,
    [property: Id(10)] IReadOnlyList<MessageReaction>? Reactions = null,
    [property: Id(11)] string? By = null,
    [property: Id(12)] Guid? Owner = null) : RoomEvent(Room, At)
{
    /// <summary>Whether this entry is a message, not an amendment of one.</summary>
    public bool IsMessage => Amends is null;
}
