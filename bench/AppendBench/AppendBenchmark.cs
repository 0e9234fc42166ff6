using System.Diagnostics;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Bench;

/// <summary>
/// Grows one room's history to each size in turn and, at each, times appends made one after another: if an append
/// costs O(1) in the history's length, the figures stay flat from the smallest size to the largest.
/// </summary>
public sealed class AppendBenchmark(IGrainFactory grains, AppendBenchOptions options, TextWriter progress)
{
    public async Task<IReadOnlyList<Checkpoint>> RunAsync(CancellationToken cancellationToken)
    {
        await WarmUpAsync(cancellationToken);

        var room = new BenchRoom(grains, "append-bench", progress);
        await room.JoinAsync();
        var run = Stopwatch.StartNew();
        var checkpoints = new List<Checkpoint>();
        foreach (var size in options.Sizes)
        {
            var fill = await room.FillAsync(size, cancellationToken);
            var inRoom = await room.CountAsync();

            // Garbage the fill left behind is collected now, not on the timed appends' clock.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();

            var latency = await room.TimeAppendsAsync(options.Samples, cancellationToken);
            var checkpoint = new Checkpoint(
                inRoom, fill, latency, MemoryUse.Now(), await ActivePagesAsync(), MachineLoad.Now());
            checkpoints.Add(checkpoint);
            progress.WriteLine(
                $"[{run.Elapsed:hh\\:mm\\:ss}] at {inRoom:N0} messages: mean {latency.MeanMicros:F0} µs, "
                + $"p99 {latency.P99Micros:F0} µs, working set {checkpoint.Memory.WorkingSetMiB:F0} MiB, "
                + $"load {checkpoint.Load.OneMinute?.ToString("F1") ?? "?"}");
        }

        return checkpoints;
    }

    /// <summary>
    /// History page grains in memory, in every room. Each holds its sealed messages until it is collected as idle,
    /// which is why the working set grows with the history even when the history is stored on disk.
    /// </summary>
    private async Task<int> ActivePagesAsync()
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();

        // Orleans names a grain type "namespace.class,assembly".
        return statistics
            .Where(s => s.GrainType.Split(',')[0] == typeof(HistoryPageGrain).FullName)
            .Sum(s => s.ActivationCount);
    }

    /// <summary>
    /// Runs both kinds of posting on a room of its own until the JIT has compiled the hot paths at full
    /// optimisation; otherwise the first size measures the compiler and looks dearer than the largest.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var warmUp = new BenchRoom(grains, "append-bench-warm-up", progress);
        await warmUp.JoinAsync();
        await warmUp.FillAsync(options.WarmUp / 2, cancellationToken);
        await warmUp.TimeAppendsAsync(options.WarmUp / 2, cancellationToken);
    }
}
