using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// The bar for lossless reconnects, on a front with the default 30 s grace period: a burst of 500 may take
/// a while on a loaded machine, and the session must outlive it.
/// </summary>
public sealed class BurstRecoveryTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    private string RoomName(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task A_client_that_drops_mid_burst_resumes_and_gets_every_message_once_in_order()
    {
        const int burst = 500;
        await using var proxy = new TcpProxy(front.BaseAddress);
        var ana = await front.ConnectAsync(proxy.Address);
        await using var bia = await RegisteredAsync("bia");
        var registered = await ana.RegisterAsync(Nick("ana"));
        var room = RoomName("burst");
        var joined = await ana.JoinRoomAsync(room);
        await bia.JoinRoomAsync(room);
        var epoch = joined.GetProperty("epoch").GetString();

        var received = new List<long>();
        var sending = Task.Run(async () =>
        {
            for (var i = 1; i <= burst; i++)
            {
                await bia.SendToRoomAsync(room, $"b{i}");
            }
        });
        while (received.Count < 50)
        {
            var e = await ana.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room);
            received.Add(e.Broadcast!.Value.GetProperty("seq").GetInt64());
        }

        proxy.DropAll();
        await sending;
        var lastSeen = DrainSeqs(ana, room, received);
        await ana.DisposeAsync();

        await using var again = await front.ConnectAsync(proxy.Address);
        var resumed = await again.Connection.InvokeAsync<JsonElement>(
            "Resume", registered.GetProperty("resumeToken").GetString(), new[] { new { room, epoch, lastSeq = lastSeen } });

        Assert.Equal(Nick("ana"), resumed.GetProperty("nickname").GetString());
        var roomState = resumed.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
        Assert.True(roomState.GetProperty("recovered").GetBoolean());
        received.AddRange(roomState.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        await bia.SendToRoomAsync(room, "after");
        while (received[^1] < burst + 1)
        {
            var e = await again.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room);
            received.Add(e.Broadcast!.Value.GetProperty("seq").GetInt64());
        }

        Assert.Equal(Enumerable.Range(1, burst + 1).Select(i => (long)i), received);
        Assert.DoesNotContain(await EventsUntilMessageAsync(bia, room, "after"),
            e => e.Event == "presence" && e.Broadcast!.Value.GetProperty("kind").GetString() == "left");
    }

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        return client;
    }

    /// <summary>Takes whatever the dropped connection had already received; returns the last sequence it saw.</summary>
    private static long DrainSeqs(ChatClient client, string room, List<long> received)
    {
        while (client.Events.TryTake(out var e))
        {
            if (e.Event == "broadcast_message" && e.Room == room)
            {
                received.Add(e.Broadcast!.Value.GetProperty("seq").GetInt64());
            }
        }

        return received[^1];
    }

    private static async Task<List<ChatClient.Received>> EventsUntilMessageAsync(ChatClient client, string room, string text)
    {
        var seen = new List<ChatClient.Received>();
        while (true)
        {
            var e = await client.Events.NextAsync();
            if (e.Room == room && e.IsMessage(text))
            {
                return seen;
            }

            seen.Add(e);
        }
    }
}
