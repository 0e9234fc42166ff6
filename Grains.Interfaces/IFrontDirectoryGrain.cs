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
    [Alias("Renew")]
    Task Renew(FrontLease lease);

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
/// its sessions get the rest of their grace period, counted from <see cref="Since"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLost")]
public sealed record FrontLost(
    [property: Id(0)] string FrontId,
    [property: Id(1)] DateTimeOffset Since,
    [property: Id(2)] bool Clean);
