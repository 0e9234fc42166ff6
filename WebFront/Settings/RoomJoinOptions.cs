using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront.Settings;

/// <summary>
/// What a join or rejoin returns from history. Bound from <c>OrleansChat:Rooms</c>, beside the room limits the silo
/// reads from the same section.
/// </summary>
public sealed class RoomJoinOptions
{
    public const string SectionName = "OrleansChat:Rooms";

    /// <summary>The most missed messages a rejoin recovers; beyond it the client is told to reload history.</summary>
    [Range(1, 100_000)]
    public int MaxRecoveryGap { get; set; } = 1_000;

    /// <summary>How many recent messages a fresh join returns.</summary>
    [Range(0, 500)]
    public int RecentOnJoin { get; set; } = 50;
}
