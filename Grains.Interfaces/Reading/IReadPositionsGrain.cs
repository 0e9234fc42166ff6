using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Interfaces.Reading;

/// <summary>
/// One user's read positions: per room, the highest sequence number the user has read, on any device. Keyed by the
/// user key (<see cref="Rules.ChatRules.KeyOf"/> of the nickname), like the nickname grain, but a grain of its own so
/// that marking read, which a page does often, never waits behind session work. Every request names its
/// <see cref="ReadMark.Owner"/>: the positions belong to one owner, and a request from another starts from nothing,
/// so a stranger who later takes a freed nickname does not inherit them. Each move is published on the user's stream
/// (<see cref="ChatStreams.ForUser"/>) for every front holding a connection of the user.
/// </summary>
[Alias("OrleansChat.IReadPositionsGrain")]
public interface IReadPositionsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Moves the room's position forward to <see cref="ReadMark.Seq"/> and publishes <see cref="ReadPositionMoved"/>.
    /// A mark at or below the position does nothing. The caller has checked the member and the room's bounds.
    /// </summary>
    [Alias("MarkRead")]
    Task<ReadMarkResult> MarkRead(ReadMark mark);

    /// <summary>Every room's position, if they belong to <see cref="ReadPositionsQuery.Owner"/>; none otherwise.</summary>
    [Alias("GetPositions")]
    Task<ReadPositionList> GetPositions(ReadPositionsQuery query);
}
