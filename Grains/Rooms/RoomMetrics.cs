using System.Diagnostics.Metrics;

namespace OrleansChat.Grains.Rooms;

/// <summary>The rooms' own instruments, exported by every silo with Orleans' through OpenTelemetry.</summary>
public sealed class RoomMetrics
{
    public const string MeterName = "OrleansChat.Grains";

    private readonly Counter<long> _regressions;
    private readonly Counter<long> _amendments;

    public RoomMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _regressions = meter.CreateCounter<long>(
            "orleanschat.history.regressions",
            description: "Rooms that found their store older than what they had published, and started a new epoch past it.");
        // Exported from the start, so a scrape tells "none yet" (0) from "not this server".
        _regressions.Add(0);
        _amendments = meter.CreateCounter<long>(
            "orleanschat.messages.amended",
            description: "Edits, deletes and reactions stored, by kind (tag chat.change: edit, delete, react).");
    }

    public void Regressed() => _regressions.Add(1);

    /// <param name="change">edit, delete or react: three values, so the tag's cardinality stays fixed.</param>
    public void Amended(string change) => _amendments.Add(1, new KeyValuePair<string, object?>("chat.change", change));
}
