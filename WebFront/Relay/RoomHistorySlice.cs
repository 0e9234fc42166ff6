using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// What a joining connection gets from the relay: the epoch, the seam, the messages before it and, when it recovers a
/// gap, the edits, deletes and reactions numbered in that gap.
/// </summary>
public sealed record RoomHistorySlice(
    string Epoch, long LastSeq, IReadOnlyList<BroadcastMessage> Messages, IReadOnlyList<MessageUpdatedEvent> Updates, bool Recovered)
{
    /// <summary>Splits a history read's entries into messages and amendments.</summary>
    public static RoomHistorySlice Of(string epoch, long lastSeq, IReadOnlyList<MessagePosted> entries, bool recovered) => new(
        epoch,
        lastSeq,
        [.. entries.Where(e => e.IsMessage).Select(BroadcastMessage.From)],
        [.. entries.Where(e => !e.IsMessage).Select(MessageUpdatedEvent.From)],
        recovered);
}
