using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Cluster;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Catches the relay up on a period and whenever the set of gateways changes or a grain call fails. Orleans clients may lose stream
/// events (or subscriptions) when a gateway silo dies, and the events lost last would otherwise wait for the next
/// message to reveal the gap.
/// </summary>
public sealed class RelayWatchdog(
    RoomStreamRelay relay, GatewayChangeSignal gateways, IOptions<ChatFrontOptions> options, TimeProvider time)
    : BackgroundService
{
    /// <summary>
    /// How long after a gateway change or a failed grain call the relay keeps reading everything stored, and how often. When a silo dies
    /// the room is back on another silo (and acknowledging posts) seconds before the stream's pulling agents have
    /// taken over the dead silo's queues and deliver again; until then every new message would wait a whole
    /// <see cref="ChatFrontOptions.CatchUpInterval"/> or more, which made the delivery pause after a silo kill twice
    /// the pause in acknowledgements. Each read is one call per followed room, and the seam drops what the stream
    /// delivers as well.
    /// </summary>
    private static readonly TimeSpan SettlingPeriod = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan SettlingTime = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settleUntil = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var settling = time.GetUtcNow() < settleUntil;
            var changed = await gateways.WaitAsync(settling ? SettlingPeriod : options.Value.CatchUpInterval, stoppingToken);
            if (changed)
            {
                settleUntil = time.GetUtcNow() + SettlingTime;
            }

            await relay.CatchUpAllAsync(gatewaysChanged: changed || settling);
        }
    }
}
