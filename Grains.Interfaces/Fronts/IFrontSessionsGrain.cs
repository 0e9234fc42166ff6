using Orleans.Concurrency;
using OrleansChat.Grains.Interfaces.Sessions;

namespace OrleansChat.Grains.Interfaces.Fronts;

/// <summary>The sessions whose connection is on one front (keyed by the front id), and the way to reach that front.</summary>
[Alias("OrleansChat.IFrontSessionsGrain")]
public interface IFrontSessionsGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string nicknameKey);

    [Alias("Remove")]
    Task Remove(string nicknameKey);

    /// <summary>The front is gone: tells every session it held, then forgets them.</summary>
    [Alias("Evict")]
    Task Evict(FrontLost lost);

    /// <summary>
    /// The front's own ear (<see cref="IFrontConnections"/>). Kept in memory only: the front gives it again on every
    /// lease renewal, so a grain that moved to another silo hears it again within one renewal. Interleaves: it only
    /// sets a field, and must not wait behind an eviction that is waiting on nickname grains.
    /// </summary>
    [Alias("Listen"), AlwaysInterleave]
    Task Listen(IFrontConnections front);

    /// <summary>
    /// Tells the front, if it listens, that one of its connections lost its session to another. Interleaves for the
    /// reason <see cref="Listen"/> does: the nickname grain calling it may be the one an eviction waits on.
    /// </summary>
    [Alias("TakenOver"), AlwaysInterleave]
    Task TakenOver(SessionTakenOver takeover);
}
