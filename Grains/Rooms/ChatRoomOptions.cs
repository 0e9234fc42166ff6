using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// Room, history and session limits. Bound from <c>OrleansChat:Rooms</c>; what a join returns from history is the
/// front's, in the same section.
/// </summary>
public sealed class ChatRoomOptions
{
    public const string SectionName = "OrleansChat:Rooms";

    [Range(1, 1_000_000)]
    public int MaxMembersPerRoom { get; set; } = 10_000;

    [Range(1, 1_000)]
    public int MaxRoomsPerUser { get; set; } = 20;

    /// <summary>
    /// How many connections (tabs and devices) one user's session may have at once. A connection whose drop the server
    /// has not noticed yet still counts until it does (at most SignalR's client timeout, 30 s).
    /// </summary>
    [Range(1, 100)]
    public int MaxConnectionsPerUser { get; set; } = 10;

    /// <summary>Messages kept per room; older ones are dropped a page at a time. 0 keeps everything.</summary>
    [Range(0, int.MaxValue)]
    public int RetainMessages { get; set; } = 100_000;

    /// <summary>How long messages are kept, enforced a page at a time; unset keeps them regardless of age.</summary>
    public TimeSpan? RetainFor { get; set; }

    /// <summary>How long a dropped connection keeps its nickname and rooms, waiting for the client to resume.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a page that closed its connection without saying goodbye keeps its session: long enough for a reload
    /// (or a tab closed and reopened at once) to come back unseen, short enough that closing the last tab is announced
    /// within seconds, as in the original. At most <see cref="ReconnectGrace"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReloadGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many members (the first in nickname order) a join returns; the rest are paged on demand.</summary>
    [Range(0, 1_000)]
    public int MembersOnJoin { get; set; } = 100;

    /// <summary>
    /// How long a user's read position may wait in memory before it is stored, so that the marks of a reading session
    /// (a page marks read as its reader scrolls) cost one write. Other devices hear of a mark at once; a silo that dies
    /// loses at most this much of it, and a graceful stop or deactivation stores it. 0 stores every mark.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ReadPositionWriteDelay { get; set; } = TimeSpan.FromSeconds(2);
}
