using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// A front whose big-room behaviour shows with a handful of users: a join returns 3 members, presence windows last a
/// second, the original's notices stop above 2 members, and the relay's catch-up runs every 100 ms.
/// </summary>
public sealed class BigRoomFrontFactory : ChatFrontFactory
{
    public const int MembersOnJoin = 3;
    public static readonly TimeSpan PresenceWindow = TimeSpan.FromSeconds(1);

    public BigRoomFrontFactory()
    {
        With("OrleansChat:Rooms:MembersOnJoin", MembersOnJoin.ToString());
        With("OrleansChat:Front:PresenceWindow", PresenceWindow.ToString());
        With("OrleansChat:Front:NoticeMaxMembers", "2");
        With("OrleansChat:Front:CatchUpInterval", "00:00:00.100");
    }
}

/// <summary>Paged member lists, batched presence, the original's notices in a big room, and a live path that keeps up.</summary>
public sealed class BigRoomTests(BigRoomFrontFactory front) : IClassFixture<BigRoomFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_join_returns_the_member_count_and_first_page_and_Members_pages_the_rest_by_nickname()
    {
        var room = $"big-{_tag}";
        var names = new[] { "eva", "Bia", "caio", "ana", "dora", "Gil", "fred" }.Select(n => $"{n}{_tag}").ToArray();
        var clients = await RegisterAllAsync(front, names);
        try
        {
            JsonElement joined = default;
            foreach (var client in clients)
            {
                joined = await client.JoinRoomAsync(room);
            }

            var sorted = names.OrderBy(ChatRules.KeyOf, StringComparer.Ordinal).ToList();
            Assert.Equal(names.Length, joined.GetProperty("memberCount").GetInt32());
            Assert.Equal(sorted.Take(BigRoomFrontFactory.MembersOnJoin), Names(joined.GetProperty("members")));

            var paged = new List<string>();
            string? after = null;
            bool hasMore;
            do
            {
                var page = await clients[0].Connection.InvokeAsync<JsonElement>("Members", room, after, 3);
                Assert.Equal(names.Length, page.GetProperty("memberCount").GetInt32());
                var members = Names(page.GetProperty("members")).ToList();
                Assert.InRange(members.Count, 1, 3);
                paged.AddRange(members);
                after = members[^1];
                hasMore = page.GetProperty("hasMore").GetBoolean();
            }
            while (hasMore);

            Assert.Equal(sorted, paged);

            // A cursor stays valid while people come and go: the page after it skips whoever left meanwhile.
            var first = Names((await clients[0].Connection.InvokeAsync<JsonElement>("Members", room, null, 3)).GetProperty("members")).ToList();
            var leaver = clients[Array.IndexOf(names, sorted[3])];
            await leaver.Connection.InvokeAsync("LeaveRoom", room);
            var next = await clients[0].Connection.InvokeAsync<JsonElement>("Members", room, first[^1], 3);
            Assert.Equal(names.Length - 1, next.GetProperty("memberCount").GetInt32());
            Assert.Equal(sorted.Skip(4).Take(3), Names(next.GetProperty("members")));
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    [Fact]
    public async Task Members_refuses_bad_requests_with_clear_errors()
    {
        var room = $"guarded-{_tag}";
        await using var stranger = await front.ConnectAsync();
        var unregistered = await Assert.ThrowsAsync<HubException>(() => stranger.Connection.InvokeAsync<JsonElement>("Members", room, null, 10));
        Assert.Contains(ChatErrors.NotRegistered, unregistered.Message);

        await stranger.RegisterAsync($"out{_tag}");
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync($"ana{_tag}");
        await ana.JoinRoomAsync(room);

        var notIn = await Assert.ThrowsAsync<HubException>(() => stranger.Connection.InvokeAsync<JsonElement>("Members", room, null, 10));
        Assert.Contains(ChatErrors.NotInRoom, notIn.Message);
        foreach (var (after, limit) in new (string?, int)[] { (null, 0), (null, 201), (null, -1), ("bad\u0001name", 10), ("", 10) })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => ana.Connection.InvokeAsync<JsonElement>("Members", room, after, limit));
            Assert.Contains(ChatErrors.InvalidMembersRequest, refused.Message);
        }

        var page = await ana.Connection.InvokeAsync<JsonElement>("Members", room, null, 200);
        Assert.Equal([$"ana{_tag}"], Names(page.GetProperty("members")));
        Assert.False(page.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task Joins_close_together_reach_each_member_as_one_event_per_presence_window()
    {
        var room = $"storm-{_tag}";
        await using var observer = await front.ConnectAsync();
        await observer.RegisterAsync($"obs{_tag}");
        await observer.JoinRoomAsync(room);
        var names = Enumerable.Range(0, 12).Select(i => $"j{i}{_tag}").ToArray();
        var joiners = await RegisterAllAsync(front, names);
        try
        {
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(joiners.Select(j => j.JoinRoomAsync(room)));
            var span = watch.Elapsed;

            var seen = new List<ChatClient.Received>();
            while (seen.Count < names.Length)
            {
                seen.Add(await observer.Events.FirstAsync(e => e.Event == "presence" && e.Room == room
                    && e.Broadcast!.Value.GetProperty("nickname").GetString() != $"obs{_tag}"));
            }

            Assert.Equal(names.Order(), seen.Select(NicknameOf).Order());
            Assert.All(seen, e => Assert.Equal("joined", e.Broadcast!.Value.GetProperty("kind").GetString()));
            Assert.Equal(names.Length + 1, seen[^1].Broadcast!.Value.GetProperty("memberCount").GetInt32());
            // Within a span of T, windows of W send at most ceil(T / W) + 1 events, however many joins there were.
            var events = seen.Count(e => e.Batch == 0) + seen.Where(e => e.Batch > 0).Select(e => e.Batch).Distinct().Count();
            var bound = (int)Math.Ceiling(span / BigRoomFrontFactory.PresenceWindow) + 1;
            Assert.True(events <= bound, $"{names.Length} joins in {span.TotalMilliseconds:F0} ms came as {events} events (at most {bound}).");
            Assert.Contains(seen, e => e.Batch > 0);
        }
        finally
        {
            await DisposeAllAsync(joiners);
        }
    }

    [Fact]
    public async Task Joins_held_in_a_presence_window_still_reach_members_before_a_later_message()
    {
        var room = $"order-{_tag}";
        await using var observer = await front.ConnectAsync();
        await observer.RegisterAsync($"obs{_tag}");
        await observer.JoinRoomAsync(room);
        var names = Enumerable.Range(0, 5).Select(i => $"k{i}{_tag}").ToArray();
        var joiners = await RegisterAllAsync(front, names);
        try
        {
            await Task.WhenAll(joiners.Select(j => j.JoinRoomAsync(room)));
            await joiners[0].SendToRoomAsync(room, "right after the joins");

            var before = new List<string>();
            while (true)
            {
                var e = await observer.Events.FirstAsync(e => e.Room == room && (e.Event == "presence" || e.Event == "broadcast_message"));
                if (e.Event == "broadcast_message")
                {
                    break;
                }

                before.Add(NicknameOf(e));
            }

            Assert.Equal(names.Order(), before.Where(n => n != $"obs{_tag}").Order());
        }
        finally
        {
            await DisposeAllAsync(joiners);
        }
    }

    [Fact]
    public async Task The_original_notices_stop_while_geral_is_bigger_than_the_notice_limit()
    {
        // A front of its own: geral must start empty for the member counts to mean anything.
        await using var fresh = new BigRoomFrontFactory();
        await using var ana = await fresh.ConnectAsync();
        await ana.RegisterAsync("ana");
        await using var bia = await fresh.ConnectAsync();
        await bia.RegisterAsync("bia");
        var caio = await fresh.ConnectAsync();
        await caio.RegisterAsync("caio");
        await caio.SendAsync("oi");

        var untilMessage = await EventsUntilAsync(ana, e => e.IsMessage("oi"));
        Assert.Contains("bia entrou no chat.", untilMessage.Select(e => e.Notice));
        Assert.DoesNotContain("caio entrou no chat.", untilMessage.Select(e => e.Notice));
        Assert.Contains(untilMessage, e => e.Event == "presence" && NicknameOf(e) == "caio");

        // Back to 2 members: a leave is news again.
        await caio.DisposeAsync();
        await ana.Events.FirstAsync(e => e.Notice == "caio saiu do chat.");
    }

    [Fact]
    public async Task A_busy_room_is_delivered_by_the_stream_with_nothing_read_from_history()
    {
        long filled = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ChatMetrics.MeterName && instrument.Name == "orleanschat.relay.history_fills")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref filled, value));
        listener.Start();

        var room = $"busy-{_tag}";
        var names = Enumerable.Range(0, 3).Select(i => $"s{i}{_tag}").ToArray();
        var clients = await RegisterAllAsync(front, names);
        try
        {
            foreach (var client in clients)
            {
                await client.JoinRoomAsync(room);
            }

            const int PerSender = 150;
            // Several catch-up periods (100 ms) pass while the posts are stored and streamed.
            await Task.WhenAll(clients.Select(async (c, i) =>
            {
                for (var n = 0; n < PerSender; n++)
                {
                    await c.SendToRoomAsync(room, $"{i}:{n}");
                }
            }));

            foreach (var client in clients)
            {
                var seqs = new List<long>();
                while (seqs.Count < PerSender * clients.Length)
                {
                    var m = await client.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room);
                    seqs.Add(m.Broadcast!.Value.GetProperty("seq").GetInt64());
                }

                Assert.Equal(Enumerable.Range(1, PerSender * clients.Length).Select(s => (long)s), seqs);
            }

            Assert.Equal(0, Interlocked.Read(ref filled));
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    private static string NicknameOf(ChatClient.Received e) => e.Broadcast!.Value.GetProperty("nickname").GetString()!;

    private static IEnumerable<string> Names(JsonElement array) => array.EnumerateArray().Select(m => m.GetString()!);

    private static async Task<List<ChatClient.Received>> EventsUntilAsync(ChatClient client, Func<ChatClient.Received, bool> last)
    {
        var events = new List<ChatClient.Received>();
        while (events.Count == 0 || !last(events[^1]))
        {
            events.Add(await client.Events.NextAsync());
        }

        return events;
    }

    private static async Task<ChatClient[]> RegisterAllAsync(ChatFrontFactory front, IEnumerable<string> names) =>
        await Task.WhenAll(names.Select(async name =>
        {
            var client = await front.ConnectAsync();
            await client.RegisterAsync(name);
            return client;
        }));

    private static async Task DisposeAllAsync(IEnumerable<ChatClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
