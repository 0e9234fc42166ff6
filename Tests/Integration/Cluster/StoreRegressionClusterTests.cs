using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using Xunit.Abstractions;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// Issue 13's scenario on a real cluster: two users on different fronts chat, the room's Redis record is put back to
/// its state before their last messages (a Redis that lost its last writes, a restore from backup), and the room's
/// silo dies so the room reloads from it.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class StoreRegressionClusterTests(RedisClusterFixture cluster, ITestOutputHelper output)
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_room_restored_from_an_older_store_reuses_no_seq_delivers_every_later_message_to_everyone_and_reports_the_loss()
    {
        var room = $"regress-{_tag}";
        await using var ana = await InRoomAsync(0, "ana", room);
        await using var bia = await InRoomAsync(1, "bia", room);
        var before = await PostAsync(bia, room, 12, "before");
        await ReceivedUpToAsync([ana, bia], room, 12);
        using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnectionString);
        var db = redis.GetDatabase();
        var logKey = await RoomRedisKeys.LogAsync(redis, room);
        var backup = (byte[])(await db.ExecuteAsync("DUMP", logKey))!;
        var lost = await PostAsync(ana, room, 10, "lost");
        await ReceivedUpToAsync([ana, bia], room, 22);

        await db.ExecuteAsync("RESTORE", logKey, 0, backup, "REPLACE");
        var silo = await cluster.SiloHostingRoomAsync(room);
        cluster.Silo(silo).Kill();
        try
        {
            var after = new List<(long Seq, string Text)>();
            for (var i = 0; i < 10; i++)
            {
                after.Add(await PostUntilAcknowledgedAsync(i % 2 == 0 ? ana : bia, room, $"after-{i}-{_tag}"));
            }

            output.WriteLine($"acknowledged after the restore: {string.Join(", ", after.Select(m => m.Seq))}");
            Assert.All(after, m => Assert.True(m.Seq > lost[^1].Seq, $"seq {m.Seq} was handed out before the restore"));
            Assert.Equal(after.Select(m => m.Seq).Order(), after.Select(m => m.Seq));
            foreach (var user in new[] { ana, bia })
            {
                var shown = await ShownAfterResetAsync(user, room, after[^1].Seq);
                // A send refused as unavailable may still have been stored; the user sent it again under a new
                // number. So: what was acknowledged, each exactly once, with nothing shown twice or out of order.
                Assert.Equal(before, shown.Where(m => m.Seq <= 12));
                Assert.All(after, m => Assert.Single(shown, m));
                Assert.Equal(shown.Select(m => m.Seq).Distinct().Order(), shown.Select(m => m.Seq));
            }

            Assert.Contains(Enumerable.Range(0, 2), i => cluster.Silo(i).Output.Contains("the store went back"));
            Assert.Contains(Enumerable.Range(0, 2), i => cluster.Front(i).Output.Contains("its store went back"));
        }
        finally
        {
            await cluster.Silo(silo).DisposeAsync();
            await cluster.StartSiloAsync(silo);
        }
    }

    /// <summary>
    /// What a client following protocol.md §9 shows once the room's history was reset: the reset's messages, then
    /// every later broadcast, each message once (by id), up to <paramref name="lastSeq"/>.
    /// </summary>
    private static async Task<List<(long Seq, string Text)>> ShownAfterResetAsync(ChatClient user, string room, long lastSeq)
    {
        var reset = (await user.Events.FirstAsync(e => e.Event == "history_reset" && e.Room == room, TimeSpan.FromSeconds(30))).Broadcast!.Value;
        var shown = reset.GetProperty("messages").EnumerateArray().Select(Message).ToList();
        var seam = reset.GetProperty("lastSeq").GetInt64();
        while (seam < lastSeq)
        {
            var e = await user.Events.FirstAsync(e => e.Room == room && e.Event is "broadcast_message" or "history_reset", TimeSpan.FromSeconds(20));
            Assert.Equal("broadcast_message", e.Event);
            var message = Message(e.Broadcast!.Value);
            Assert.True(message.Seq > seam, $"seq {message.Seq} came after the seam {seam}");
            shown.Add(message);
            seam = message.Seq;
        }

        return shown;
    }

    private async Task<ChatClient> InRoomAsync(int front, string name, string room)
    {
        var client = await cluster.ConnectAsync(front);
        await client.RegisterAsync($"{name}-{_tag}");
        await client.JoinRoomAsync(room);
        return client;
    }

    private async Task<List<(long Seq, string Text)>> PostAsync(ChatClient sender, string room, int count, string label)
    {
        var acked = new List<(long, string)>();
        for (var i = 0; i < count; i++)
        {
            var text = $"{label}-{i}-{_tag}";
            acked.Add(((await sender.SendToRoomAsync(room, text)).GetProperty("seq").GetInt64(), text));
        }

        return acked;
    }

    /// <summary>While the cluster notices the dead silo, a send may be refused as unavailable; the user sends again.</summary>
    private static async Task<(long Seq, string Text)> PostUntilAcknowledgedAsync(ChatClient sender, string room, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return ((await sender.SendToRoomAsync(room, text)).GetProperty("seq").GetInt64(), text);
            }
            catch (HubException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    private static async Task ReceivedUpToAsync(ChatClient[] users, string room, long seq)
    {
        foreach (var user in users)
        {
            await user.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room && Message(e.Broadcast!.Value).Seq == seq);
        }
    }

    private static (long Seq, string Text) Message(JsonElement broadcast) =>
        (broadcast.GetProperty("seq").GetInt64(), broadcast.GetProperty("msg").GetString()!);
}
