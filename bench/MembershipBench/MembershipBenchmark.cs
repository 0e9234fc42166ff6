using System.Diagnostics;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Bench;

/// <summary>
/// Grows one room's membership to each size in turn and, at each, times joins and leaves made one after another,
/// counts the bytes the presence storage writes for them, and times the room's reload from storage. If a join and a
/// leave cost O(1) in the room's size, their figures stay flat from the smallest size to the largest; the reload
/// reads every member once and grows with the room.
/// </summary>
public sealed class MembershipBenchmark(
    IGrainFactory grains, MembershipBenchOptions options, CountingStorageSerializer presence, TextWriter progress)
{
    /// <summary>
    /// Joins in flight while filling. The room takes them one at a time anyway; this only keeps its queue from
    /// running dry while a reply travels back.
    /// </summary>
    private const int FillConcurrency = 64;

    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(15);

    private int _timed;

    public async Task<IReadOnlyList<MembershipCheckpoint>> RunAsync(CancellationToken cancellationToken)
    {
        var warmUp = grains.GetGrain<IChatRoomGrain>("membership-bench-warm-up");
        await FillAsync(warmUp, 0, 100, cancellationToken);
        await TimeJoinsAndLeavesAsync(warmUp, options.WarmUp, cancellationToken);
        await TimeReloadAsync(warmUp, 100);

        var room = grains.GetGrain<IChatRoomGrain>("membership-bench");
        var members = 0;
        var run = Stopwatch.StartNew();
        var checkpoints = new List<MembershipCheckpoint>();
        foreach (var size in options.Sizes)
        {
            var fill = await FillAsync(room, members, size, cancellationToken);
            members = await CountAsync(room, size);

            // Garbage the fill left behind is collected now, not on the timed calls' clock.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();

            var (join, leave) = await TimeJoinsAndLeavesAsync(room, options.Samples, cancellationToken);
            var reload = await TimeReloadAsync(room, members);
            var checkpoint = new MembershipCheckpoint(
                members, fill, join, leave, reload, MemoryUse.Now(), MachineLoad.Now());
            checkpoints.Add(checkpoint);
            progress.WriteLine(
                $"[{run.Elapsed:hh\\:mm\\:ss}] at {members:N0} members: join p50 {join.Latency.P50Micros:F0} µs, "
                + $"leave p50 {leave.Latency.P50Micros:F0} µs, {join.BytesPerCall:N0} B/join, "
                + $"reload {reload.TotalMilliseconds:F0} ms, load {checkpoint.Load.OneMinute?.ToString("F1") ?? "?"}");
        }

        return checkpoints;
    }

    /// <summary>Joins members concurrently until the room holds <paramref name="size"/>.</summary>
    private async Task<MemberFill> FillAsync(IChatRoomGrain room, int from, int size, CancellationToken cancellationToken)
    {
        progress.WriteLine($"filling {room.GetPrimaryKeyString()} from {from:N0} to {size:N0} members");
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        await Parallel.ForAsync(
            from,
            size,
            new ParallelOptions { MaxDegreeOfParallelism = FillConcurrency, CancellationToken = cancellationToken },
            async (i, _) =>
            {
                await JoinAsync(room, $"m{i:D7}", Guid.NewGuid());
                if (clock.Elapsed - lastReport >= ProgressEvery)
                {
                    lastReport = clock.Elapsed;
                    progress.WriteLine($"  about {i:N0} members after {clock.Elapsed:hh\\:mm\\:ss}");
                }
            });
        return new MemberFill(size - from, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Times <paramref name="samples"/> pairs of a newcomer joining and then leaving, each call awaited before the
    /// next, so the room stays at its size; counts what the presence storage wrote during each call.
    /// </summary>
    private async Task<(CallCost Join, CallCost Leave)> TimeJoinsAndLeavesAsync(
        IChatRoomGrain room, int samples, CancellationToken cancellationToken)
    {
        var joins = new double[samples];
        var leaves = new double[samples];
        long joinBytes = 0, leaveBytes = 0;
        for (var i = 0; i < samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var nickname = $"t{_timed++:D7}";
            var session = Guid.NewGuid();

            var written = presence.Written;
            var started = Stopwatch.GetTimestamp();
            await JoinAsync(room, nickname, session);
            joins[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            joinBytes += presence.Written - written;

            written = presence.Written;
            started = Stopwatch.GetTimestamp();
            await room.Leave(new LeaveRequest(nickname, session));
            leaves[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            leaveBytes += presence.Written - written;
        }

        return (CallCost.Of(joins, joinBytes), CallCost.Of(leaves, leaveBytes));
    }

    /// <summary>Deactivates the room and times the call that activates it again, which loads every member page.</summary>
    private async Task<TimeSpan> TimeReloadAsync(IChatRoomGrain room, int members)
    {
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var started = Stopwatch.GetTimestamp();
        await CountAsync(room, members);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Checks the room's own count, so a lost or doubled member fails the run.</summary>
    private static async Task<int> CountAsync(IChatRoomGrain room, int expected)
    {
        var count = (await room.GetMembers(new MemberQuery(null, 0))).Count;
        return count == expected
            ? count
            : throw new InvalidOperationException($"Room {room.GetPrimaryKeyString()} holds {count} members; {expected} joined.");
    }

    private static async Task JoinAsync(IChatRoomGrain room, string nickname, Guid session)
    {
        var join = await room.Join(new JoinRequest(nickname, session, "bench"));
        if (join.Status is not JoinStatus.Joined)
        {
            throw new InvalidOperationException($"{nickname} could not join {room.GetPrimaryKeyString()}: {join.Status}.");
        }
    }
}
