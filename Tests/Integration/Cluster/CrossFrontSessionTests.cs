using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// Two fronts reaching for one session at once, on the real cluster: the same nickname registered on both, and a
/// resume on one front while the session's connection is still open on the other.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class CrossFrontSessionTests(RedisClusterFixture cluster)
{
    private const int Rounds = 20;

    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task The_same_nickname_registered_on_both_fronts_at_once_goes_to_exactly_one()
    {
        await using var observer = await cluster.ConnectAsync(0);
        await observer.RegisterAsync(Nick("obs"));
        for (var round = 0; round < Rounds; round++)
        {
            var nickname = Nick($"n{round}-");
            await using var onFront0 = await cluster.ConnectAsync(0);
            await using var onFront1 = await cluster.ConnectAsync(1);

            var attempts = new[] { onFront0.RegisterAsync(nickname), onFront1.RegisterAsync(nickname) };
            await Task.WhenAll(attempts.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));

            var winner = Assert.Single(attempts, a => a.IsCompletedSuccessfully);
            var loser = Assert.Single(attempts, a => a.IsFaulted);
            Assert.EndsWith(ChatErrors.NicknameTaken, Assert.IsType<HubException>(loser.Exception!.InnerException).Message);
            var (won, lost) = winner == attempts[0] ? (onFront0, onFront1) : (onFront1, onFront0);

            var other = Nick($"m{round}-");
            Assert.Equal(other, (await lost.RegisterAsync(other)).GetProperty("nickname").GetString());
            await won.SendAsync($"won {round}");
            var seen = await observer.EventsUntilMessageAsync($"won {round}");
            // At most one join: never one for the loser. Not exactly one, because presence events are not replayed
            // and this cluster's earlier tests kill silos, whose stream queues can take a join with them.
            Assert.True(seen.Count(e => e.Notice == $"{nickname} entrou no chat.") <= 1, $"{nickname} was announced twice");
            Assert.DoesNotContain(seen, e => e.Notice == $"{nickname} saiu do chat.");
        }
    }

    [Fact]
    public async Task A_session_on_both_fronts_follows_rooms_across_them_and_leaves_only_with_its_last_connection()
    {
        await using var bia = await cluster.ConnectAsync(0);
        await bia.RegisterAsync(Nick("bia"));
        var laptop = await cluster.ConnectAsync(0);
        var token = (await laptop.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");
        await using var phone = await cluster.ConnectAsync(1);
        var resumed = await phone.ResumeAsync(token);
        Assert.Equal(Nick("ana"), resumed.GetProperty("nickname").GetString());

        // A room joined on front 0 reaches the phone on front 1, as a join would show it.
        var room = $"dev-{Nick("x")}";
        await laptop.JoinRoomAsync(room);
        var joined = await phone.Events.FirstAsync(e => e.Event == "room_joined");
        Assert.Equal(room, joined.Room);
        await bia.JoinRoomAsync(room);
        var seq = (await bia.SendToRoomAsync(room, "to both fronts")).GetProperty("seq").GetInt64();
        await laptop.Events.FirstAsync(e => e.IsMessage("to both fronts"));
        await phone.Events.FirstAsync(e => e.IsMessage("to both fronts"));

        // A reaction made on front 1 reaches front 0 as the room's next entry, like a message.
        await phone.Connection.InvokeAsync<JsonElement>("React", room, seq, "🎉", true);
        var reacted = (await bia.Events.FirstAsync(e => e.Event == "message_updated")).Broadcast!.Value;
        Assert.Equal((seq, seq + 1, Nick("ana")), (
            reacted.GetProperty("seq").GetInt64(), reacted.GetProperty("updatedSeq").GetInt64(), reacted.GetProperty("by").GetString()));

        // The laptop goes; the phone is still ana, and nobody saw a leave.
        await laptop.Connection.StopAsync();
        await laptop.DisposeAsync();
        await phone.SendToRoomAsync(room, "only the phone now");
        var seen = await bia.EventsUntilMessageAsync("only the phone now");
        Assert.DoesNotContain(seen, e => e.Notice is not null && e.Notice.StartsWith(Nick("ana"), StringComparison.Ordinal));
        Assert.Equal(Nick("ana"), seen[^1].Broadcast!.Value.GetProperty("nickname").GetString());
    }
}
