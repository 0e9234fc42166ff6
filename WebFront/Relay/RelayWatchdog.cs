using Microsoft.Extensions.Options;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Catches the relay up on a period and whenever the set of gateways changes. Orleans clients may lose stream
/// events (or subscriptions) when a gateway silo dies, and the events lost last would otherwise wait for the next
/// message to reveal the gap.
/// </summary>
public sealed class RelayWatchdog(RoomStreamRelay relay, IOptions<ChatFrontOptions> options)
    : BackgroundService, IClusterConnectionStatusObserver
{
    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) =>
        _ = relay.CatchUpAllAsync();

    public void NotifyClusterConnectionLost()
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CatchUpInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await relay.CatchUpAllAsync();
        }
    }
}
