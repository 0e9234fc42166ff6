namespace OrleansChat.Grains;

/// <summary>
/// The live fronts (WebFront processes) of the cluster, by lease. A front renews its lease on a period; a front that
/// stops renewing is dead, and the sessions it held are detached from it (their grace period counted from its last
/// renewal). One per cluster (key 0); its state survives a silo failure, and any live front's next renewal brings
/// it back.
/// </summary>
[Alias("OrleansChat.IFrontDirectoryGrain")]
public interface IFrontDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Renews the front's lease; returns the lease's generation, new each time the directory starts a lease for
    /// the front. A front that sees it change was taken for dead in between and its sessions evicted, although it
    /// lives (its calls were cut off, by a stalled silo on their path for instance): its users must take their
    /// sessions back (protocol §9). A generation, not a flag, because a renewal the front gave up on can still
    /// arrive late and start the new lease unseen.
    /// </summary>
    [Alias("Renew")]
    Task<Guid> Renew(FrontLease lease);

    /// <summary>A front shutting down cleanly: its sessions end now, with their leave notices.</summary>
    [Alias("Retire")]
    Task Retire(string frontId);
}

[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLease")]
public sealed record FrontLease([property: Id(0)] string FrontId, [property: Id(1)] TimeSpan Duration);

/// <summary>The sessions whose connection is on one front (keyed by the front id).</summary>
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
}

/// <summary>
/// A front's connections are gone. <see cref="Clean"/>: it shut down and said so (leave now); otherwise it died and
/// its sessions get the rest of their grace period, counted from <see cref="Since"/>. <see cref="DecidedAt"/>: when
/// the directory decided it, so a session that attached to the front later knows the decision is not about it.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLost")]
public sealed record FrontLost(
    [property: Id(0)] string FrontId,
    [property: Id(1)] DateTimeOffset Since,
    [property: Id(2)] bool Clean,
    [property: Id(3)] DateTimeOffset DecidedAt);
