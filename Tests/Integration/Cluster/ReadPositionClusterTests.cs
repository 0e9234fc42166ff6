using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// A user's read position across fronts, on the real cluster: what one front's connection marked, a connection of
/// the same user on the other front is given, and marks made there reach the first through the user's stream.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ReadPositionClusterTests(RedisClusterFixture cluster)
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_position_marked_on_one_front_reaches_the_users_connection_on_the_other()
    {
        await using var bia = await cluster.ConnectAsync(0);
        await bia.RegisterAsync($"bia{_tag}");
        var ana = await cluster.ConnectAsync(0);
        var token = (await ana.RegisterAsync($"ana{_tag}")).GetProperty("resumeToken").GetString();
        var room = $"read{_tag}";
        await ana.JoinRoomAsync(room);
        await bia.JoinRoomAsync(room);
        long last = 0;
        for (var i = 1; i <= 4; i++)
        {
            last = (await bia.SendToRoomAsync(room, $"m{i}")).GetProperty("seq").GetInt64();
        }

        await ana.Connection.InvokeAsync("MarkRead", room, last - 1);
        var onFront0 = await ana.Events.FirstAsync(e => e.Event == "read_position");

        // The same user on the other front at the same time (a second device with the token): a mark there reaches
        // the first device at once.
        await using var anaAgain = await cluster.ConnectAsync(1);
        var resumed = await anaAgain.Connection.InvokeAsync<JsonElement>("Resume", token, null);
        await anaAgain.Connection.InvokeAsync("MarkRead", room, last);
        var onFront1 = await anaAgain.Events.FirstAsync(e => e.Event == "read_position");
        var backOnFront0 = await ana.Events.FirstAsync(e => e.Event == "read_position");
        Assert.Equal(last, backOnFront0.Broadcast!.Value.GetProperty("seq").GetInt64());
        await ana.DisposeAsync();

        Assert.Equal(last - 1, onFront0.Broadcast!.Value.GetProperty("seq").GetInt64());
        var resumedRoom = resumed.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
        Assert.Equal(last - 1, resumedRoom.GetProperty("readSeq").GetInt64());
        Assert.Equal((room, last), (onFront1.Room, onFront1.Broadcast!.Value.GetProperty("seq").GetInt64()));
        var refused = await Assert.ThrowsAsync<HubException>(() => anaAgain.Connection.InvokeAsync("MarkRead", room, last + 1));
        Assert.EndsWith(ChatErrors.InvalidReadPosition, refused.Message);
    }
}
