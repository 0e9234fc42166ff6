using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// What users see of a real 2-silo, 2-front cluster on Redis, healthy and while its processes die. Each fault test
/// restores the process it killed, so the tests can share one cluster.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterFaultTests(RedisClusterFixture cluster, ITestOutputHelper output)
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task Users_on_different_fronts_see_each_others_joins_and_messages_complete_and_in_order()
    {
        await using var ana = await RegisteredAsync(0, "ana");
        await using var bia = await RegisteredAsync(1, "bia");
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} entrou no chat.");
        var room = $"cross-{_tag}";
        await ana.JoinRoomAsync(room);
        await bia.JoinRoomAsync(room);

        var latencies = new List<double>();
        var acked = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            acked.Add((await bia.SendToRoomAsync(room, $"b{i}")).GetProperty("seq").GetInt64());
            var seen = await ana.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room);
            latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            Assert.Equal(acked[^1], seen.Broadcast!.Value.GetProperty("seq").GetInt64());
        }

        latencies.Sort();
        output.WriteLine($"cross-front send→receive (ms): p50 {latencies[100]:F1}, p99 {latencies[197]:F1}, max {latencies[^1]:F1}");
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), acked);
    }

    [Fact]
    public async Task A_killed_silo_loses_no_acknowledged_message_and_chat_resumes_within_8_seconds()
    {
        var ana = await cluster.ConnectAsync(0);
        var anaToken = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        await using var anaPhone = await cluster.ConnectAsync(1);
        await anaPhone.ResumeAsync(anaToken);
        await using var bia = await RegisteredAsync(1, "bia");
        var room = $"kill-{_tag}";
        await ana.JoinRoomAsync(room);
        await bia.JoinRoomAsync(room);

        using var stop = new CancellationTokenSource();
        var acks = new List<(long Seq, DateTime At)>();
        var sender = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var ack = await bia.SendToRoomAsync(room, $"m{i}");
                    lock (acks)
                    {
                        acks.Add((ack.GetProperty("seq").GetInt64(), DateTime.UtcNow));
                    }
                }
                catch (HubException)
                {
                    // Not acknowledged: the user sees the error and may send again; it is not counted.
                }

                await Task.Delay(10);
            }
        });
        await WaitForAcksAsync(acks, 50);

        // The room lives on one of the two silos: killing each in turn (restarting the first in between) is sure to
        // kill the room's silo at least once, whichever it is.
        var resumedAfter = new List<TimeSpan>();
        foreach (var silo in new[] { 0, 1 })
        {
            var killedAt = DateTime.UtcNow;
            cluster.Silo(silo).Kill();
            await WaitForAcksAfterAsync(acks, killedAt, 50, TimeSpan.FromSeconds(30));
            // The longest silence between two acknowledgements around the kill: how long users could not chat.
            List<DateTime> around;
            lock (acks)
            {
                around = acks.Where(a => a.At > killedAt.AddSeconds(-1)).Select(a => a.At).Prepend(killedAt).Order().ToList();
            }

            resumedAfter.Add(around.Zip(around.Skip(1), (a, b) => b - a).Max());
            await cluster.Silo(silo).DisposeAsync();
            await cluster.StartSiloAsync(silo);
        }

        stop.Cancel();
        await sender;

        var acked = acks.Select(a => a.Seq).ToList();
        var received = await ReceiveUpToAsync(ana, room, acked.Max());
        // Ana's phone on the other front followed her into the room, and got the same, once each.
        Assert.Equal(room, (await anaPhone.Events.FirstAsync(e => e.Event == "room_joined")).Room);
        var onPhone = await ReceiveUpToAsync(anaPhone, room, acked.Max());
        output.WriteLine($"silo kills: {acked.Count} acknowledged, {received.Count} received ({onPhone.Count} on the second device); longest pause in acknowledgements around each kill: "
            + string.Join(", ", resumedAfter.Select(t => $"{t.TotalSeconds:F2} s")));
        Assert.Equal(received.Distinct().Order(), received);
        Assert.Empty(acked.Except(received));
        Assert.Equal(onPhone.Distinct().Order(), onPhone);
        Assert.Empty(acked.Except(onPhone));

        // The session's state survived both kills: a room joined now on the phone reaches the first device.
        await anaPhone.JoinRoomAsync($"after-{_tag}");
        Assert.Equal($"after-{_tag}", (await ana.Events.FirstAsync(e => e.Event == "room_joined")).Room);
        await ana.DisposeAsync();
        // Typically 1.5-4.3 s on a busy two-core machine (the README's runs), so 5 s flaked. 8 s is about twice the worst
        // seen and still fails a failover that is broken rather than slow: a front stuck on the dead gateway until
        // its refresh, or a silo detected on Orleans' default probe timeout (6-17 s). The hub's own share of the
        // pause, each attempt's 2 s timeout and the backoff, is checked to the millisecond by GrainCallsTests.
        Assert.All(resumedAfter, t => Assert.True(t < TimeSpan.FromSeconds(8), $"chat resumed only after {t}"));
    }

    [Fact]
    public async Task The_users_of_a_killed_front_leave_within_30_seconds()
    {
        await using var ana = await RegisteredAsync(0, "ana");
        var carla = await RegisteredAsync(1, "carla");
        // Dani is on both fronts: losing one of her devices with the front is not her leaving.
        await using var dani = await cluster.ConnectAsync(0);
        var daniToken = (await dani.RegisterAsync(Nick("dani"))).GetProperty("resumeToken").GetString();
        var daniPhone = await cluster.ConnectAsync(1);
        await daniPhone.ResumeAsync(daniToken);
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("dani")} entrou no chat.");
        var killedAt = DateTime.UtcNow;

        cluster.Front(1).Kill();

        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("carla")} saiu do chat.", TimeSpan.FromSeconds(30));
        output.WriteLine($"front kill: leave notice {(DateTime.UtcNow - killedAt).TotalSeconds:F1} s after the kill");
        await dani.SendAsync("dani is still here");
        var seen = await ana.EventsUntilMessageAsync("dani is still here");

        Assert.DoesNotContain(seen, e => e.Notice == $"{Nick("dani")} saiu do chat.");
        await carla.DisposeAsync();
        await daniPhone.DisposeAsync();
        await cluster.Front(1).DisposeAsync();
        await cluster.StartFrontAsync(1);
    }

    [Fact]
    public async Task A_front_stopped_gracefully_hands_its_users_to_the_other_front_without_a_leave()
    {
        await using var ana = await RegisteredAsync(0, "ana");
        var dave = await cluster.ConnectAsync(1);
        var token = (await dave.RegisterAsync(Nick("dave"))).GetProperty("resumeToken").GetString();
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("dave")} entrou no chat.");
        var front = cluster.Front(1);
        var seen = new List<ChatClient.Received>();
        try
        {
            var stopping = Stopwatch.StartNew();
            front.Terminate();

            // The closed connection is dave's cue to go on elsewhere, as a load balancer would send him.
            await dave.Closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var closedAfter = stopping.Elapsed;
            await using var back = await cluster.ConnectAsync(0);
            await back.Connection.InvokeAsync<JsonElement>("Resume", token, Array.Empty<object>());
            await back.SendAsync($"resumed {_tag}");
            await ana.Events.FirstAsync(e => { seen.Add(e); return e.IsMessage($"resumed {_tag}"); });
            await front.WaitForExitAsync(TimeSpan.FromSeconds(40));
            output.WriteLine($"SIGTERM of a front: its connection closed after {closedAfter.TotalMilliseconds:F0} ms, the process exited after {stopping.Elapsed.TotalMilliseconds:F0} ms");

            // Whatever the front did on its way out (its lease retired) must not end the session either.
            await back.SendAsync($"after exit {_tag}");
            await ana.Events.FirstAsync(e => { seen.Add(e); return e.IsMessage($"after exit {_tag}"); });
            Assert.DoesNotContain(seen, e => e.Notice == $"{Nick("dave")} saiu do chat.");
        }
        finally
        {
            await dave.DisposeAsync();
            await front.DisposeAsync();
            await cluster.StartFrontAsync(1);
        }
    }

    [Fact]
    public async Task After_a_redis_restart_the_cluster_reconnects_on_its_own()
    {
        await using var ana = await RegisteredAsync(0, "ana");
        await using var bia = await RegisteredAsync(1, "bia");

        await cluster.RestartRedisAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement? ack = null;
        while (ack is null)
        {
            try
            {
                ack = await bia.SendAsync($"after redis {_tag}");
            }
            catch (HubException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }

        await ana.Events.FirstAsync(e => e.IsMessage($"after redis {_tag}"));
        await using var late = await RegisteredAsync(0, "late");
    }

    private async Task<ChatClient> RegisteredAsync(int front, string name)
    {
        var client = await cluster.ConnectAsync(front);
        await client.RegisterAsync(Nick(name));
        return client;
    }

    private static async Task WaitForAcksAsync(List<(long Seq, DateTime At)> acks, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Count(acks, _ => true) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the sender made no progress");
            await Task.Delay(20);
        }
    }

    private static async Task WaitForAcksAfterAsync(List<(long Seq, DateTime At)> acks, DateTime after, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Count(acks, a => a.At > after) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the sender made no progress after the fault");
            await Task.Delay(20);
        }
    }

    private static int Count(List<(long Seq, DateTime At)> acks, Func<(long Seq, DateTime At), bool> match)
    {
        lock (acks)
        {
            return acks.Count(match);
        }
    }

    /// <summary>Every sequence number the client received for the room, in arrival order, up to <paramref name="last"/>.</summary>
    private static async Task<List<long>> ReceiveUpToAsync(ChatClient client, string room, long last)
    {
        var received = new List<long>();
        while (received.Count == 0 || received.Max() < last)
        {
            var e = await client.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room, TimeSpan.FromSeconds(20));
            received.Add(e.Broadcast!.Value.GetProperty("seq").GetInt64());
        }

        return received;
    }
}
