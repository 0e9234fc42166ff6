using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using Xunit.Abstractions;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// Issue 14: clients reach the cluster through the shipped nginx configuration, as users of a deployment do. A proxy
/// ends its upstream connection in an orderly way whatever happened to its client, so only the client's own close
/// may count as leaving.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ProxyTests(RedisClusterFixture cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private NginxProxy? _nginx;

    private NginxProxy Nginx => _nginx!;

    private string Nick(string name) => $"{name}-{_tag}";

    public async Task InitializeAsync() =>
        _nginx = await NginxProxy.StartAsync(RedisClusterFixture.RepositoryRoot, [cluster.FrontUri(0), cluster.FrontUri(1)]);

    public async Task DisposeAsync() => await Nginx.DisposeAsync();

    [Fact]
    public async Task A_client_reset_through_nginx_is_a_drop_and_the_client_resumes_with_every_message_once()
    {
        // The reset happens between the client and nginx, as a phone's lost network does; nginx then ends its
        // upstream connection to the front in an orderly way.
        await using var network = new TcpProxy(Nginx.Address);
        var ana = await NginxProxy.ConnectAsync(network.Address);
        await using var bia = await NginxProxy.ConnectAsync(Nginx.Address);
        var token = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        await bia.RegisterAsync(Nick("bia"));
        var room = $"proxy-{_tag}";
        var epoch = (await ana.JoinRoomAsync(room)).GetProperty("epoch").GetString();
        await bia.JoinRoomAsync(room);
        var position = Seq(await bia.SendToRoomAsync(room, "before"));
        await ana.Events.FirstAsync(e => e.IsMessage("before"));

        var dropped = Stopwatch.StartNew();
        network.DropAll();
        await ana.Closed.Task.WaitAsync(Inbox<ChatClient.Received>.DefaultTimeout);
        var acked = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            acked.Add(Seq(await bia.SendToRoomAsync(room, $"meanwhile {i}")));
        }

        await using var back = await NginxProxy.ConnectAsync(Nginx.Address);
        var resumed = await back.Connection.InvokeAsync<JsonElement>(
            "Resume", token, new[] { new { room, epoch, lastSeq = position } });
        var resumedAfter = dropped.Elapsed;
        var joined = resumed.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
        Assert.True(joined.GetProperty("recovered").GetBoolean());
        var received = joined.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64())
            .Where(seq => seq > position).ToList();
        acked.Add(Seq(await bia.SendToRoomAsync(room, $"after {_tag}")));
        await back.Events.FirstAsync(e =>
        {
            if (e.Event == "broadcast_message" && e.Room == room)
            {
                received.Add(e.Broadcast!.Value.GetProperty("seq").GetInt64());
            }

            return e.IsMessage($"after {_tag}");
        });

        var seenByBia = new List<ChatClient.Received>();
        await bia.Events.FirstAsync(e => { seenByBia.Add(e); return e.IsMessage($"after {_tag}"); });
        output.WriteLine($"reset through nginx: resumed {resumedAfter.TotalMilliseconds:F0} ms after the reset; "
            + $"{acked.Count} messages sent meanwhile and after, {received.Count} received");
        Assert.Equal(acked, received);
        Assert.DoesNotContain(seenByBia, e => IsLeaveOf(e, Nick("ana")));
        Assert.True(resumedAfter < RedisClusterFixture.Grace, $"resumed only {resumedAfter} after the reset");
        await ana.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_stops_through_nginx_leaves_at_once()
    {
        await using var ana = await NginxProxy.ConnectAsync(Nginx.Address);
        var bia = await NginxProxy.ConnectAsync(Nginx.Address);
        await ana.RegisterAsync(Nick("ana"));
        await bia.RegisterAsync(Nick("bia"));
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} entrou no chat.");

        var stopped = Stopwatch.StartNew();
        await bia.Connection.StopAsync();

        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} saiu do chat.", TimeSpan.FromSeconds(30));
        var noticeAfter = stopped.Elapsed;
        output.WriteLine($"stop through nginx: leave notice {noticeAfter.TotalMilliseconds:F0} ms after the client stopped");
        // Taken for a drop, the leave would only come once the grace period ended.
        Assert.True(noticeAfter < RedisClusterFixture.Grace, $"the leave came {noticeAfter} after the stop: it waited for the grace period");
        await bia.DisposeAsync();
    }

    private static long Seq(JsonElement ack) => ack.GetProperty("seq").GetInt64();

    private static bool IsLeaveOf(ChatClient.Received e, string nickname) =>
        e.Notice == $"{nickname} saiu do chat."
        || (e.Event == "presence" && e.Broadcast!.Value.GetProperty("nickname").GetString() == nickname
            && e.Broadcast.Value.GetProperty("kind").GetString() == "left");
}
