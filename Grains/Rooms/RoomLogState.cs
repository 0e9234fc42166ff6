using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// The head of a room's message log. Older messages live in sealed <see cref="IHistoryPageGrain"/> pages, so this
/// state, written on every post, stays the same size however long the history grows: <see cref="Head"/> holds only
/// the messages after the last full page.
/// </summary>
[GenerateSerializer, Alias("OrleansChat.RoomLogState")]
public sealed class RoomLogState
{
    /// <summary>Names this incarnation of the history; a new one means the history was lost or reset.</summary>
    [Id(0)]
    public string Epoch { get; set; } = string.Empty;

    [Id(1)]
    public long LastSeq { get; set; }

    /// <summary>The oldest sequence number retention still keeps.</summary>
    [Id(2)]
    public long FirstSeq { get; set; } = 1;

    [Id(3)]
    public List<MessagePosted> Head { get; set; } = [];

    /// <summary>
    /// The epoch the sealed pages are stored under: the one the log began with. A regression starts a new
    /// <see cref="Epoch"/> but keeps the pages, so what survived stays readable. Empty in logs that never regressed.
    /// </summary>
    [Id(4)]
    public string PagesEpoch { get; set; } = string.Empty;

    /// <summary>Numbers a regression left unused: reads step over them instead of reading their empty pages.</summary>
    [Id(5)]
    public List<SeqGap> Gaps { get; set; } = [];
}

/// <summary>Sequence numbers <see cref="After"/>+1 to <see cref="UpTo"/> hold no message and never will.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.SeqGap")]
public sealed record SeqGap([property: Id(0)] long After, [property: Id(1)] long UpTo);
