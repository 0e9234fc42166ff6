using OrleansChat.WebFront.Diagnostics;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// Drops connections whose client stopped reading, counted and logged the same way whoever noticed: a room's fan-out
/// (too many events waiting) or <see cref="SlowConsumerMonitor"/> (no progress for a while). A dropped client sees a
/// dropped connection and can resume.
/// </summary>
public sealed partial class SlowConsumers(ChatMetrics metrics, ILogger<SlowConsumers> logger)
{
    public void DropBehind(ConnectionOutbox outbox)
    {
        if (outbox.Drop())
        {
            metrics.SlowConsumerDropped();
            LogBehind(outbox.ConnectionId, outbox.Pending);
        }
    }

    public void DropStalled(ConnectionOutbox outbox, TimeSpan timeout)
    {
        if (outbox.Drop())
        {
            metrics.SlowConsumerDropped();
            LogStalled(outbox.ConnectionId, outbox.Pending, timeout);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped connection {ConnectionId}: {Pending} room events waiting for it")]
    private partial void LogBehind(string connectionId, int pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped connection {ConnectionId}: {Pending} writes made no progress for {Timeout}")]
    private partial void LogStalled(string connectionId, int pending, TimeSpan timeout);
}
