using System.Globalization;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>Prints the results as a markdown table for people and one JSON line for scripts.</summary>
public static class MembershipReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Write(
        MembershipBenchOptions options, IReadOnlyList<MembershipCheckpoint> checkpoints, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var machine = MachineInfo.Now();
        output.WriteLine();
        output.WriteLine(string.Create(c,
            $"Join and leave cost, memory presence storage, {options.Samples:N0} sequential join-then-leave pairs per "
            + $"size ({machine.ProcessorCount} cores, {machine.Runtime})"));
        output.WriteLine();
        output.WriteLine("| members in room | join mean µs | join p50 µs | join p99 µs | leave mean µs | leave p50 µs "
            + "| leave p99 µs | bytes/join | bytes/leave | reload ms | fill s | fill joins/s | working set MiB | load 1m |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (members, fill, join, leave, reload, memory, load) in checkpoints)
        {
            output.WriteLine(string.Create(c,
                $"| {members:N0} | {join.Latency.MeanMicros:F0} | {join.Latency.P50Micros:F0} "
                + $"| {join.Latency.P99Micros:F0} | {leave.Latency.MeanMicros:F0} | {leave.Latency.P50Micros:F0} "
                + $"| {leave.Latency.P99Micros:F0} | {join.BytesPerCall:N0} | {leave.BytesPerCall:N0} "
                + $"| {reload.TotalMilliseconds:F0} | {fill.Seconds:F1} | {fill.PerSecond:N0} "
                + $"| {memory.WorkingSetMiB:F0} | {load.OneMinute?.ToString("F1", c) ?? "–"} |"));
        }

        output.WriteLine();
        output.WriteLine(JsonSerializer.Serialize(new
        {
            Benchmark = "membership",
            options.Samples,
            Machine = machine,
            Checkpoints = checkpoints,
        }, Json));
    }
}
