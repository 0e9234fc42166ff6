using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// Drops connections whose writes have made no progress for <see cref="ChatLimitsOptions.SlowConsumerTimeout"/>:
/// a client that stopped reading, even one whose backlog is still under the relay's count bound.
/// </summary>
public sealed partial class SlowConsumerMonitor(
    ChatConnections connections,
    IOptions<ChatLimitsOptions> limits,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger<SlowConsumerMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = limits.Value.SlowConsumerTimeout;
        using var timer = new PeriodicTimer(timeout / 4, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var outbox in connections.Open)
            {
                if (outbox.IsStalled(timeout) && outbox.Drop())
                {
                    metrics.SlowConsumerDropped();
                    LogDropped(outbox.ConnectionId, outbox.Pending, timeout);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped connection {ConnectionId}: {Pending} writes made no progress for {Timeout}")]
    private partial void LogDropped(string connectionId, int pending, TimeSpan timeout);
}
