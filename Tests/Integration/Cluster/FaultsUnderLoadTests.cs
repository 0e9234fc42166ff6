using Xunit.Abstractions;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// Issue 7, faults under load: while several users on both fronts chat continuously in one room, a process dies or
/// stalls. Every message whose send was acknowledged must reach every user exactly once, in order, once the cluster
/// has recovered; users of a killed front resume on the other one and are held to the same bar. Each test restores
/// what it broke, so the tests share one cluster with <see cref="ClusterFaultTests"/>.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class FaultsUnderLoadTests(RedisClusterFixture cluster, ITestOutputHelper output)
{
    private const int Users = 8;
    private const int Senders = 4;

    /// <summary>Acknowledgements that show chat is flowing: a few seconds of the whole load.</summary>
    private const int Flowing = 100;

    /// <summary>
    /// Covers a silo being declared dead (probe timeout at most 1 s × 2 missed probes) and a process start on 2
    /// busy cores, with room to spare: a slow machine must not pass for a lost message.
    /// </summary>
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(45);

    /// <summary>After the senders stop, how long deliveries may take to catch up before a missing message counts as lost.</summary>
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Issue 14's bounds: a killed silo stops chat at most 2 s, a hung one at most 5 s. A killed silo's pause is the
    /// cluster's detection (its probes fail at once; 2 missed probes) or a call caught in flight, abandoned after the
    /// 1 s attempt timeout, whichever is longer: 1.0–1.3 s here under a load average of 12–20. The margin is for this
    /// test's own clocks, not the cluster's: each arrival and acknowledgement is timestamped by a SignalR client
    /// callback on the same 2 shared cores as 2 silos, 2 fronts and redis, where the thread pool was seen to run such
    /// callbacks up to 0.5 s late while the survivors reactivate the room. Above that margin the pause is the cluster's.
    /// </summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(0.5);

    private static readonly TimeSpan KilledSiloPause = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan HungSiloRecovery = TimeSpan.FromSeconds(5);

    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task Killing_the_rooms_silo_under_load_loses_no_acknowledged_message()
    {
        await using var load = await StartLoadAsync("kill");
        var index = await cluster.SiloHostingRoomAsync(load.Room);

        await RestoringSiloOnFailureAsync(index, async () =>
        {
            cluster.Silo(index).Kill();
            var faultAt = DateTime.UtcNow;
            await load.WaitForAcksAfterAsync(faultAt, Flowing, Recovery);
            await RestartSiloAsync(load, index);

            var outcome = await load.StopAndCheckAsync(faultAt, Delivery);
            Check(load, outcome, $"kill -9 of silo {index}, the room's");
            // What users see: no send answered with an error, and messages flowing again within the bound.
            Assert.Equal(0, outcome.SendErrors);
            Assert.True(outcome.LongestPause <= KilledSiloPause + Margin, outcome.Summary);
            Assert.True(outcome.LongestDeliveryPause <= KilledSiloPause + Margin, outcome.Summary);
        });
    }

    [Fact]
    public async Task Pausing_the_rooms_silo_past_its_membership_timeout_under_load_loses_no_acknowledged_message()
    {
        await using var load = await StartLoadAsync("pause");
        var index = await cluster.SiloHostingRoomAsync(load.Room);
        var silo = cluster.Silo(index);

        await RestoringSiloOnFailureAsync(index, async () =>
        {
            silo.Pause();
            var faultAt = DateTime.UtcNow;
            // The room answers again only once the cluster has declared its frozen silo dead and moved the room.
            await load.WaitForAcksAfterAsync(faultAt, Flowing, Recovery);
            silo.Resume();
            output.WriteLine($"SIGCONT {(DateTime.UtcNow - faultAt).TotalSeconds:F1} s after SIGSTOP");
            // A silo that wakes up to find itself declared dead must stop, not serve stale grains.
            await silo.WaitForExitAsync(Recovery);
            await RestartSiloAsync(load, index);

            var outcome = await load.StopAndCheckAsync(faultAt, Delivery);
            Check(load, outcome, $"SIGSTOP of silo {index}, the room's");
            Assert.Equal(0, outcome.SendErrors);
            Assert.True(outcome.LongestPause <= HungSiloRecovery + Margin, outcome.Summary);
            Assert.True(outcome.LongestDeliveryPause <= HungSiloRecovery + Margin, outcome.Summary);
        });
    }

    [Fact]
    public async Task Killing_a_front_under_load_loses_no_acknowledged_message_and_its_users_resume_on_the_other()
    {
        await using var load = await StartLoadAsync("front");

        var onKilledFront = load.Users.Where(u => u.Front == 1).ToList();
        cluster.Front(1).Kill();
        var faultAt = DateTime.UtcNow;
        // Within the grace period (5 s here, counted from the dead front's last lease renewal), or the sessions end.
        var resumed = await load.WaitForReconnectsAsync(onKilledFront, faultAt, RedisClusterFixture.Grace);
        output.WriteLine($"the killed front's users resumed on the other front at most {resumed.TotalSeconds:F2} s after the kill");
        await load.WaitForAcksAfterAsync(faultAt, Flowing, Recovery);
        await cluster.Front(1).DisposeAsync();
        await cluster.StartFrontAsync(1);

        var outcome = await load.StopAndCheckAsync(faultAt, Delivery);
        // Resumed, not registered again: the others saw no leave.
        Assert.Equal(Users / 2, outcome.PerUser.Count(u => u.Reconnects == 1 && !u.RegisteredAgain));
        Check(load, outcome, "kill -9 of front 1");
    }

    [Fact]
    public async Task Restarting_both_fronts_one_after_the_other_under_load_loses_nothing_and_shows_no_leave_or_join()
    {
        await using var load = await StartLoadAsync("rolling");
        var startedAt = DateTime.UtcNow;

        foreach (var index in new[] { 0, 1 })
        {
            // A rolling update: SIGTERM, wait for the exit, start the new version. Its users move to the other front.
            var moving = load.Users.Where(u => u.Front == index).ToList();
            var front = cluster.Front(index);
            var stoppedAt = DateTime.UtcNow;
            front.Terminate();
            TimeSpan resumed;
            try
            {
                // Only a bound on waiting: a user who took longer than the grace period would find its session
                // ended and register again, which the end of the test refuses.
                resumed = await load.WaitForReconnectsAsync(moving, stoppedAt, Recovery);
                await front.WaitForExitAsync(TimeSpan.FromSeconds(40));
            }
            catch
            {
                output.WriteLine($"front {index} said:\n{front.Output}\nfront {1 - index} said:\n{cluster.Front(1 - index).Output}");
                await front.DisposeAsync();
                await cluster.StartFrontAsync(index);
                throw;
            }

            var exited = DateTime.UtcNow - stoppedAt;
            await front.DisposeAsync();
            await cluster.StartFrontAsync(index);
            output.WriteLine($"front {index}: {moving.Count} users resumed on the other front at most {resumed.TotalSeconds:F2} s after SIGTERM; exited after {exited.TotalSeconds:F2} s");
            await load.WaitForAcksAfterAsync(DateTime.UtcNow, Flowing, Recovery);
        }

        var outcome = await load.StopAndCheckAsync(startedAt, Delivery);
        var presence = load.PresenceChangesSince(startedAt);
        output.WriteLine($"joins and leaves shown during the restarts: {presence.Count}");
        Assert.All(outcome.PerUser, u => Assert.False(u.RegisteredAgain, $"{u.Nickname} had to register again"));
        Assert.Empty(presence);
        Check(load, outcome, "rolling restart of both fronts");
    }

    [Fact]
    public async Task Restarting_redis_under_load_loses_no_acknowledged_message()
    {
        await using var load = await StartLoadAsync("redis");

        await cluster.StopRedisAsync();
        var faultAt = DateTime.UtcNow;
        await cluster.StartRedisAsync();
        output.WriteLine($"redis back {(DateTime.UtcNow - faultAt).TotalSeconds:F2} s after the kill");
        await load.WaitForAcksAfterAsync(faultAt, Flowing, Recovery);

        Check(load, await load.StopAndCheckAsync(faultAt, Delivery), "restart of redis");
    }

    private async Task<RoomLoad> StartLoadAsync(string room)
    {
        var load = await RoomLoad.StartAsync(cluster, _tag, room, Users, Senders);
        await load.WaitForAcksAfterAsync(DateTime.MinValue, Flowing, Recovery);
        return load;
    }

    /// <summary>A failed silo fault must not leave the cluster broken for the tests that share it.</summary>
    private async Task RestoringSiloOnFailureAsync(int index, Func<Task> fault)
    {
        try
        {
            await fault();
        }
        catch
        {
            await cluster.ReplaceSiloAsync(index);
            throw;
        }
    }

    /// <summary>Puts the silo back, as a supervisor would, and shows the load carries on through its return.</summary>
    private async Task RestartSiloAsync(RoomLoad load, int index)
    {
        await cluster.Silo(index).DisposeAsync();
        await cluster.StartSiloAsync(index);
        await load.WaitForAcksAfterAsync(DateTime.UtcNow, Flowing, Recovery);
    }

    private void Check(RoomLoad load, LoadOutcome outcome, string fault)
    {
        output.WriteLine($"{fault}: {outcome.Summary}");
        output.WriteLine(load.Refusals);
        output.WriteLine(outcome.Details);
        // Why connections closed, if any did: a front taken for dead, or a connection dropped for not reading.
        foreach (var line in Enumerable.Range(0, 2).SelectMany(i => cluster.Front(i).Output.Split('\n'))
            .Where(l => l.Contains("taken for dead") || l.Contains("Dropped connection")))
        {
            output.WriteLine(line);
        }

        outcome.AssertNothingLostDuplicatedOrReordered();
    }
}
