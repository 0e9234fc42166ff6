using System.Diagnostics.Metrics;

namespace OrleansChat.WebFront.Diagnostics;

/// <summary>The front's own instruments, exported with Orleans' and ASP.NET Core's through OpenTelemetry.</summary>
public sealed class ChatMetrics
{
    public const string MeterName = "OrleansChat.WebFront";

    private readonly UpDownCounter<long> _connections;
    private readonly UpDownCounter<long> _registered;
    private readonly Counter<long> _messagesIn;
    private readonly Counter<long> _messagesOut;
    private readonly Histogram<double> _fanOutLatency;
    private readonly Counter<long> _slowConsumersDropped;
    private readonly Counter<long> _historyFills;
    private readonly Counter<long> _historyResets;

    public ChatMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _connections = meter.CreateUpDownCounter<long>("orleanschat.connections", description: "Open hub connections on this front.");
        _registered = meter.CreateUpDownCounter<long>("orleanschat.registered_users", description: "Connections with a nickname on this front.");
        _messagesIn = meter.CreateCounter<long>("orleanschat.messages.in", description: "Messages accepted from this front's clients.");
        _messagesOut = meter.CreateCounter<long>("orleanschat.messages.out", description: "Messages relayed to a room's connections on this front.");
        _fanOutLatency = meter.CreateHistogram<double>(
            "orleanschat.fanout.latency", unit: "ms", description: "From the room accepting a message to this front handing it to SignalR.");
        _slowConsumersDropped = meter.CreateCounter<long>(
            "orleanschat.slow_consumers.dropped", description: "Connections dropped because they stopped reading their room events.");
        _historyFills = meter.CreateCounter<long>(
            "orleanschat.relay.history_fills",
            description: "Messages this front relayed from history because the stream had not delivered them: lost with a silo, or a stream running far behind.");
        _historyResets = meter.CreateCounter<long>(
            "orleanschat.relay.history_resets",
            description: "Rooms this front found in a new history epoch mid-subscription (their store went back), and resent to their connections.");
        // Exported from the start, so a scrape tells "none yet" (0) from "not this server".
        _historyFills.Add(0);
        _historyResets.Add(0);
    }

    public void Connected() => _connections.Add(1);

    public void Disconnected() => _connections.Add(-1);

    public void Registered() => _registered.Add(1);

    public void Unregistered() => _registered.Add(-1);

    public void MessageIn() => _messagesIn.Add(1);

    public void SlowConsumerDropped() => _slowConsumersDropped.Add(1);

    public void FilledFromHistory(int messages) => _historyFills.Add(messages);

    public void HistoryReset() => _historyResets.Add(1);

    public void Relayed(TimeSpan sinceAccepted)
    {
        _messagesOut.Add(1);
        _fanOutLatency.Record(sinceAccepted.TotalMilliseconds);
    }
}
