using System.Globalization;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>Prints the results as a markdown table for people and one JSON line for scripts.</summary>
public static class AppendReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Write(AppendBenchOptions options, IReadOnlyList<Checkpoint> checkpoints, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var machine = MachineInfo.Now();
        var storage = options.Storage.ToString().ToLowerInvariant();
        output.WriteLine();
        output.WriteLine(string.Create(c,
            $"Append and amendment cost, {storage} history storage, {options.Samples:N0} sequential appends and "
            + $"{options.Samples:N0} sequential amendments (edits and reactions in turn, on messages anywhere in the "
            + $"history) per size ({machine.ProcessorCount} cores, {machine.Runtime})"));
        output.WriteLine();
        output.WriteLine("| messages in room | append mean µs | p50 µs | p99 µs | max µs | appends/s | bytes written per append "
            + "| amendment mean µs | p50 µs | p99 µs | max µs | bytes written per amendment | working set MiB "
            + "| managed heap MiB | pages in memory | fill s | fill msg/s | load 1m |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (messages, fill, latency, perAppend, amendments, perAmendment, memory, pages, load) in checkpoints)
        {
            output.WriteLine(string.Create(c,
                $"| {messages:N0} | {latency.MeanMicros:F0} | {latency.P50Micros:F0} | {latency.P99Micros:F0} "
                + $"| {latency.MaxMicros:F0} | {latency.AppendsPerSecond:N0} | {Bytes(perAppend)} "
                + $"| {amendments.MeanMicros:F0} | {amendments.P50Micros:F0} | {amendments.P99Micros:F0} "
                + $"| {amendments.MaxMicros:F0} | {Bytes(perAmendment)} | {memory.WorkingSetMiB:F0} "
                + $"| {memory.ManagedHeapMiB:F0} | {pages:N0} | {fill.Seconds:F1} | {fill.PerSecond:N0} "
                + $"| {load.OneMinute?.ToString("F1", c) ?? "–"} |"));
        }

        output.WriteLine();
        output.WriteLine(JsonSerializer.Serialize(new
        {
            Benchmark = "append",
            Storage = storage,
            options.Samples,
            Machine = machine,
            Checkpoints = checkpoints,
        }, Json));
    }

    private static string Bytes(double? bytes) => bytes?.ToString("N0", CultureInfo.InvariantCulture) ?? "–";
}
