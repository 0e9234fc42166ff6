using System.Diagnostics;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Bench;

/// <summary>
/// Grows one room's history to each size in turn and, at each, times appends made one after another, then edits and
/// reactions on messages drawn from the whole history: if each costs O(1) in the history's length, the figures (time,
/// and bytes written when <paramref name="written"/> counts them) stay flat from the smallest size to the largest.
/// </summary>
public sealed class AppendBenchmark(IGrainFactory grains, AppendBenchOptions options, CountingStorageSerializer? written, TextWriter progress)
{
    /// <summary>Seeded, so that two runs amend the same messages.</summary>
    private readonly Random _random = new(20261130);

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

            var before = written?.Written;
            var latency = await room.TimeAppendsAsync(options.Samples, cancellationToken);
            var afterAppends = written?.Written;
            var amendments = await room.TimeAmendmentsAsync(options.Samples, _random, cancellationToken);
            var checkpoint = new Checkpoint(
                inRoom, fill, latency, (double?)(afterAppends - before) / options.Samples,
                amendments, (double?)(written?.Written - afterAppends) / options.Samples,
                MemoryUse.Now(), await ActivePagesAsync(), MachineLoad.Now());
            checkpoints.Add(checkpoint);
            progress.WriteLine(
                $"[{run.Elapsed:hh\\:mm\\:ss}] at {inRoom:N0} messages: mean {latency.MeanMicros:F0} µs, "
                + $"p99 {latency.P99Micros:F0} µs; amendments mean {amendments.MeanMicros:F0} µs, "
                + $"p99 {amendments.P99Micros:F0} µs; working set {checkpoint.Memory.WorkingSetMiB:F0} MiB, "
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
    /// Runs both kinds of posting, and amendments, on a room of its own until the JIT has compiled the hot paths at full
    /// optimisation; otherwise the first size measures the compiler and looks dearer than the largest.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var warmUp = new BenchRoom(grains, "append-bench-warm-up", progress);
        await warmUp.JoinAsync();
        await warmUp.FillAsync(options.WarmUp / 2, cancellationToken);
        await warmUp.TimeAppendsAsync(options.WarmUp / 4, cancellationToken);
        await warmUp.TimeAmendmentsAsync(options.WarmUp / 4, new Random(1), cancellationToken);
    }
}
