using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// What every room's feed on this front uses: the cluster, the settings, removals, slow-consumer drops, the metrics.
/// </summary>
internal sealed record RelayServices(
    IClusterClient Cluster,
    RoomRemovals Removals,
    SlowConsumers SlowConsumers,
    ChatFrontOptions Front,
    ChatLimitsOptions Limits,
    RoomJoinOptions Join,
    ChatMetrics Metrics,
    TimeProvider Time,
    ILogger Logger)
{
    public IAsyncStream<RoomEvent> StreamOf(string room) =>
        Cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomEvent>(ChatStreams.ForRoom(room));
}
