using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// A front with a short grace period, so that "the session outlived its grace" is testable, and the longest typing
/// interval: two typing calls in a row must fall in one interval even on a machine that stalls between them (the
/// interval's edge is tested on a fake clock, in TypingThrottleTests).
/// </summary>
public sealed class ShortGraceFrontFactory : ChatFrontFactory
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public ShortGraceFrontFactory() => With("OrleansChat:Rooms:ReconnectGrace", Grace.ToString())
        .With("OrleansChat:Front:TypingInterval", TimeSpan.FromMinutes(1).ToString());
}

/// <summary>Rooms, history, presence, typing and lossless reconnects through the real SignalR client.</summary>
public sealed class RoomsAndRecoveryTests(ShortGraceFrontFactory front) : IClassFixture<ShortGraceFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    private string RoomName(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task Joining_a_room_returns_members_epoch_sequence_and_recent_messages()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var room = RoomName("sala");
        await ana.JoinRoomAsync(room);
        for (var i = 1; i <= 3; i++)
        {
            await ana.SendToRoomAsync(room, $"m{i}");
        }

        var joined = await bia.JoinRoomAsync(room);

        Assert.Equal(room, joined.GetProperty("room").GetString());
        Assert.Equal([Nick("ana"), Nick("bia")], joined.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.False(string.IsNullOrEmpty(joined.GetProperty("epoch").GetString()));
        // Messages up to lastSeq come in the answer, later ones as live events: together, each exactly once.
        var seen = Texts(joined.GetProperty("messages")).ToList();
        while (seen.Count < 3)
        {
            seen.Add((await bia.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room)).Broadcast!.Value.GetProperty("msg").GetString());
        }

        Assert.Equal(["m1", "m2", "m3"], seen);
        var presence = await ana.Events.FirstAsync(e => e.Event == "presence" && e.Room == room
            && e.Broadcast!.Value.GetProperty("nickname").GetString() == Nick("bia"));
        Assert.Equal("joined", presence.Broadcast!.Value.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Rooms_are_isolated()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var (one, two) = (RoomName("one"), RoomName("two"));
        await ana.JoinRoomAsync(one);
        await bia.JoinRoomAsync(two);

        await ana.SendToRoomAsync(one, "for room one");
        await bia.SendToRoomAsync(two, "for room two");

        var toBia = await bia.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room != ChatRules.DefaultRoom);
        Assert.True(toBia.IsMessage("for room two"), $"bia got {toBia}");
        var toAna = await ana.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room != ChatRules.DefaultRoom);
        Assert.True(toAna.IsMessage("for room one"), $"ana got {toAna}");
        var error = await Assert.ThrowsAsync<HubException>(() => bia.SendToRoomAsync(one, "intruder"));
        Assert.EndsWith(ChatErrors.NotInRoom, error.Message);
    }

    [Fact]
    public async Task Leaving_a_room_tells_its_members_and_stops_its_messages()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var room = RoomName("sala");
        await ana.JoinRoomAsync(room);
        await bia.JoinRoomAsync(room);

        await bia.Connection.InvokeAsync("LeaveRoom", room);

        var left = await ana.Events.FirstAsync(e => e.Event == "presence" && e.Room == room
            && e.Broadcast!.Value.GetProperty("kind").GetString() == "left");
        Assert.Equal(Nick("bia"), left.Broadcast!.Value.GetProperty("nickname").GetString());
        await Assert.ThrowsAsync<HubException>(() => bia.SendToRoomAsync(room, "gone"));
    }

    [Fact]
    public async Task History_pages_back_by_sequence_number()
    {
        await using var ana = await RegisteredAsync("ana");
        var room = RoomName("history");
        await ana.JoinRoomAsync(room);
        for (var i = 1; i <= 130; i++)
        {
            await ana.SendToRoomAsync(room, $"m{i}");
        }

        var latest = await ana.Connection.InvokeAsync<JsonElement>("History", room, null, 50);
        var older = await ana.Connection.InvokeAsync<JsonElement>("History", room, 81L, 50);
        var oldest = await ana.Connection.InvokeAsync<JsonElement>("History", room, 31L, 50);

        Assert.Equal(Enumerable.Range(81, 50).Select(i => $"m{i}"), Texts(latest.GetProperty("messages")));
        Assert.Equal(Enumerable.Range(31, 50).Select(i => $"m{i}"), Texts(older.GetProperty("messages")));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"m{i}"), Texts(oldest.GetProperty("messages")));
        Assert.True(older.GetProperty("hasMore").GetBoolean());
        Assert.False(oldest.GetProperty("hasMore").GetBoolean());
        var bad = await Assert.ThrowsAsync<HubException>(() => ana.Connection.InvokeAsync<JsonElement>("History", room, 0L, 50));
        Assert.EndsWith(ChatErrors.InvalidHistoryRequest, bad.Message);
    }

    [Fact]
    public async Task Typing_reaches_the_room_once_per_interval()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var room = RoomName("typing");
        await ana.JoinRoomAsync(room);
        await bia.JoinRoomAsync(room);

        await ana.Connection.InvokeAsync("Typing", room);
        await ana.Connection.InvokeAsync("Typing", room);
        await ana.SendToRoomAsync(room, "marker");

        var typing = await bia.Events.FirstAsync(e => e.Event == "typing");
        Assert.Equal((room, Nick("ana")), (typing.Room, typing.Broadcast!.Value.GetProperty("nickname").GetString()));
        var next = await bia.Events.FirstAsync(e => e.Room == room && e.Event != "presence");
        Assert.True(next.IsMessage("marker"), $"a second typing event got through the throttle: {next}");
    }

    [Fact]
    public async Task Invalid_room_names_and_unknown_rooms_get_clear_errors()
    {
        await using var ana = await RegisteredAsync("ana");

        var invalid = await Assert.ThrowsAsync<HubException>(() => ana.JoinRoomAsync("bad\u0001room"));
        var notIn = await Assert.ThrowsAsync<HubException>(() => ana.SendToRoomAsync(RoomName("elsewhere"), "hi"));

        Assert.EndsWith(ChatErrors.InvalidRoom, invalid.Message);
        Assert.EndsWith(ChatErrors.NotInRoom, notIn.Message);
    }

    [Fact]
    public async Task Room_names_ignore_case_and_rooms_are_listed_with_member_counts()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        await ana.JoinRoomAsync(RoomName("Lobby"));
        var joined = await bia.JoinRoomAsync(RoomName("LOBBY"));

        Assert.Equal(RoomName("lobby"), joined.GetProperty("room").GetString());
        var rooms = await ana.Connection.InvokeAsync<JsonElement>("ListRooms");
        var lobby = rooms.EnumerateArray().Single(r => r.GetProperty("room").GetString() == RoomName("lobby"));
        Assert.Equal(2, lobby.GetProperty("members").GetInt32());
    }

    [Fact]
    public async Task A_dropped_client_that_never_returns_leaves_when_the_grace_period_ends()
    {
        await using var proxy = new TcpProxy(front.BaseAddress);
        var ana = await front.ConnectAsync(proxy.Address);
        await using var bia = await RegisteredAsync("bia");
        var token = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        var dropped = DateTime.UtcNow;

        proxy.DropAll();

        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} saiu do chat.", ShortGraceFrontFactory.Grace * 5);
        Assert.True(DateTime.UtcNow - dropped >= ShortGraceFrontFactory.Grace * 0.9, "left before the grace period ended");
        await ana.DisposeAsync();
        // The token this session was given, which resumed it during the grace period: now it must not.
        await using var late = await front.ConnectAsync();
        var expired = await Assert.ThrowsAsync<HubException>(() =>
            late.Connection.InvokeAsync<JsonElement>("Resume", token, Array.Empty<object>()));
        Assert.Equal($"An unexpected error occurred invoking 'Resume' on the server. HubException: {ChatErrors.SessionExpired}", expired.Message);
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    public async Task An_orderly_TCP_end_without_a_goodbye_is_a_drop_not_a_leave(HttpTransportType transport)
    {
        await using var proxy = new TcpProxy(front.BaseAddress);
        var ana = await front.ConnectAsync(proxy.Address, transport);
        await using var bia = await RegisteredAsync("bia");
        var token = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();

        // What a front behind nginx sees when a phone loses its network: the proxy ends its upstream with a FIN.
        proxy.EndAll();
        await ana.Closed.Task.WaitAsync(Inbox<ChatClient.Received>.DefaultTimeout);
        await using var back = await front.ConnectAsync();
        await back.Connection.InvokeAsync<JsonElement>("Resume", token, Array.Empty<object>());
        await back.SendAsync($"back {_tag}");

        var seen = new List<ChatClient.Received>();
        await bia.Events.FirstAsync(e => { seen.Add(e); return e.IsMessage($"back {_tag}"); });
        Assert.DoesNotContain(seen, e => e.Notice == $"{Nick("ana")} saiu do chat.");
        await ana.DisposeAsync();
    }

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        return client;
    }

    private static IEnumerable<string?> Texts(JsonElement messages) =>
        messages.EnumerateArray().Select(m => m.GetProperty("msg").GetString());
}
