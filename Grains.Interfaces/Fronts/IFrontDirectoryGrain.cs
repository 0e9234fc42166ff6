namespace OrleansChat.Grains.Interfaces.Fronts;

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

    /// <summary>A front shutting down cleanly: its sessions still attached wait for the grace period, as after a drop.</summary>
    [Alias("Retire")]
    Task Retire(string frontId);
}
