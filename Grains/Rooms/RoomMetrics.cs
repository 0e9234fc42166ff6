using System.Diagnostics.Metrics;

namespace OrleansChat.Grains.Rooms;

/// <summary>The rooms' own instruments, exported by every silo with Orleans' through OpenTelemetry.</summary>
public sealed class RoomMetrics
{
    public const string MeterName = "OrleansChat.Grains";

    private readonly Counter<long> _regressions;

    public RoomMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _regressions = meter.CreateCounter<long>(
            "orleanschat.history.regressions",
            description: "Rooms that found their store older than what they had published, and started a new epoch past it.");
        // Exported from the start, so a scrape tells "none yet" (0) from "not this server".
        _regressions.Add(0);
    }

    public void Regressed() => _regressions.Add(1);
}
