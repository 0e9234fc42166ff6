using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// Drops connections whose writes have made no progress for <see cref="ChatLimitsOptions.SlowConsumerTimeout"/>:
/// a client that stopped reading, even one whose backlog is still under the relay's count bound.
/// </summary>
public sealed class SlowConsumerMonitor(
    ChatConnections connections,
    SlowConsumers slowConsumers,
    IOptions<ChatLimitsOptions> limits,
    TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timeout = limits.Value.SlowConsumerTimeout;
        using var timer = new PeriodicTimer(timeout / 4, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var outbox in connections.Open)
            {
                if (outbox.IsStalled(timeout))
                {
                    slowConsumers.DropStalled(outbox, timeout);
                }
            }
        }
    }
}
