using Orleans.Concurrency;
using OrleansChat.Grains.Interfaces.Sessions;

namespace OrleansChat.Grains.Interfaces.Fronts;

/// <summary>
/// A front, as the grains reach it: what the cluster decided about one of its connections. Each front hands its
/// <see cref="IFrontSessionsGrain"/> one of these on every lease renewal.
/// </summary>
[Alias("OrleansChat.IFrontConnections")]
public interface IFrontConnections : IGrainObserver
{
    /// <summary>
    /// One of this front's connections lost its session to a newer connection: the front closes it, telling the
    /// client why. One-way, so a resume never waits on a front that may have died with the old connection.
    /// </summary>
    [Alias("TakenOver"), OneWay]
    Task TakenOver(SessionTakenOver takeover);
}
