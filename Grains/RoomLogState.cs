using OrleansChat.Grains.Events;

namespace OrleansChat.Grains;

/// <summary>
/// The room's message log head: the last sequence number handed out and a bounded window of the latest messages
/// (used to answer retried posts). Kept apart from the members so that a post never rewrites the member list.
/// </summary>
[GenerateSerializer, Alias("OrleansChat.RoomLogState")]
public sealed class RoomLogState
{
    [Id(0)]
    public long LastSeq { get; set; }

    [Id(1)]
    public List<MessagePosted> Recent { get; set; } = [];
}
