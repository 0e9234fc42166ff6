namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// A message accepted by the room. <see cref="Seq"/> starts at 1 and grows by one per message with no gap and no
/// reuse for the room's lifetime: it is what lets a front or a client tell that it missed something. The one jump is
/// after a <see cref="HistoryRegressed"/>, which starts a new epoch past every number handed out before.
/// <see cref="TraceParent"/> (W3C <c>traceparent</c>) is set only on the stream's copy, and only while tracing is on:
/// the post's trace, which the fronts' fan-out joins. History never stores it. <see cref="Mentions"/> are the room's
/// members the text mentions (<c>@name</c>, <see cref="Rules.ChatRules.MentionedNames"/>), as each spells their
/// nickname, when the message was posted; null when it mentions none.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MessagePosted")]
public sealed record MessagePosted(
    string Room,
    DateTimeOffset At,
    [property: Id(0)] Guid Id,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Nickname,
    [property: Id(3)] string Text,
    [property: Id(4)] string? TraceParent = null,
    [property: Id(5)] IReadOnlyList<string>? Mentions = null) : RoomEvent(Room, At);
