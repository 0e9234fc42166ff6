using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace OrleansChat.Bench;

/// <summary>
/// What was measured with <see cref="Messages"/> messages already in the room: appends, then amendments (edits and
/// reactions on messages anywhere in the history), each with the bytes of state it made storage write on average
/// (null when the storage's writes are not counted).
/// </summary>
public sealed record Checkpoint(
    long Messages, Fill Fill, Latency Latency, double? BytesPerAppend, Latency Amendments, double? BytesPerAmendment,
    MemoryUse Memory, int ActivePages, MachineLoad Load);

/// <summary>The concurrent posts that brought the room up to a checkpoint.</summary>
public sealed record Fill(long Messages, double Seconds)
{
    public double PerSecond => Messages / Math.Max(Seconds, double.Epsilon);
}

/// <summary>Latency of sequential appends, in microseconds, and the rate one caller reaches with them.</summary>
public sealed record Latency(int Samples, double MeanMicros, double P50Micros, double P99Micros, double MaxMicros,
    double AppendsPerSecond)
{
    public static Latency Of(double[] micros, TimeSpan elapsed)
    {
        var sorted = micros.Order().ToArray();
        return new Latency(
            sorted.Length,
            sorted.Average(),
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.99),
            sorted[^1],
            sorted.Length / elapsed.TotalSeconds);
    }

    /// <summary>Nearest-rank percentile: a value that was actually observed.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// The process's memory: the working set (everything resident, the silo's in-memory storage included) and the
/// managed heap within it.
/// </summary>
public sealed record MemoryUse(double WorkingSetMiB, double ManagedHeapMiB)
{
    private const double MiB = 1024 * 1024;

    public static MemoryUse Now()
    {
        using var process = Process.GetCurrentProcess();
        return new MemoryUse(process.WorkingSet64 / MiB, GC.GetTotalMemory(forceFullCollection: false) / MiB);
    }
}

/// <summary>What a run ran on, written into every benchmark's JSON line.</summary>
public sealed record MachineInfo(int ProcessorCount, string Os, string Runtime, bool ServerGc)
{
    public static MachineInfo Now() => new(
        Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, GCSettings.IsServerGC);
}

/// <summary>
/// The machine's load averages (runnable tasks, Linux only), taken with each result: the figures mean little when
/// other work was competing for the same cores.
/// </summary>
public sealed record MachineLoad(double? OneMinute, double? FiveMinutes)
{
    private const string LoadAverageFile = "/proc/loadavg";

    public static MachineLoad Now()
    {
        if (!File.Exists(LoadAverageFile))
        {
            return new MachineLoad(null, null);
        }

        var fields = File.ReadAllText(LoadAverageFile).Split(' ');
        return new MachineLoad(Parse(fields[0]), Parse(fields[1]));

        static double Parse(string field) => double.Parse(field, CultureInfo.InvariantCulture);
    }
}
