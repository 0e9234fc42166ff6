namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// The room's store came back older than what the room had published: it reloaded with messages up to
/// <see cref="RestoredSeq"/>, while some front had delivered up to <see cref="SeenSeq"/>. Messages in between may be
/// gone from history. The room keeps what it has, starts <see cref="Epoch"/>, and numbers on after
/// <see cref="LastSeq"/>, so no sequence number anyone saw is handed out again. Fronts reload the room's latest
/// messages and tell their clients.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.HistoryRegressed")]
public sealed record HistoryRegressed(
    string Room,
    DateTimeOffset At,
    [property: Id(0)] string Epoch,
    [property: Id(1)] long RestoredSeq,
    [property: Id(2)] long SeenSeq,
    [property: Id(3)] long LastSeq) : RoomEvent(Room, At);
