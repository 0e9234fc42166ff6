using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Cluster;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Catches the relay up on a period and whenever the set of gateways changes. Orleans clients may lose stream
/// events (or subscriptions) when a gateway silo dies, and the events lost last would otherwise wait for the next
/// message to reveal the gap.
/// </summary>
public sealed class RelayWatchdog(RoomStreamRelay relay, GatewayChangeSignal gateways, IOptions<ChatFrontOptions> options)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = await gateways.WaitAsync(options.Value.CatchUpInterval, stoppingToken);
            await relay.CatchUpAllAsync(gatewaysChanged: changed);
        }
    }
}
