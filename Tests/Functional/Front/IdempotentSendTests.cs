using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Rooms;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>A front whose message limit lets one client fill a room's recent window in a second.</summary>
public sealed class FastPostingFrontFactory : ChatFrontFactory
{
    public FastPostingFrontFactory() => With("OrleansChat:Limits:MessagesPerSecond", "1000")
        .With("OrleansChat:Limits:MessageBurst", "1000");
}

/// <summary>
/// <c>SendToRoomOnce</c>: a message sent again with its client id is answered with the first acknowledgement and is
/// never stored or broadcast twice, over one connection, across a drop and Resume, and until the room can no longer
/// tell (then it refuses). The seed methods are untouched.
/// </summary>
public sealed class IdempotentSendTests(FastPostingFrontFactory front) : IClassFixture<FastPostingFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    private string RoomName(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task The_same_client_id_twice_stores_and_broadcasts_one_message_and_acknowledges_both_with_its_seq()
    {
        var room = RoomName("once");
        await using var ana = await InRoomAsync("ana", room);
        await using var bia = await InRoomAsync("bia", room);
        var id = Guid.NewGuid().ToString();

        var first = await ana.SendToRoomOnceAsync(room, "only once", id, 0);
        var repeat = await ana.SendToRoomOnceAsync(room, "only once", id, 0);

        Assert.Equal(id, first.GetProperty("id").GetString());
        Assert.Equal(first.ToString(), repeat.ToString());
        Assert.Equal(["only once"], await BroadcastTextsUntilMarkerAsync(ana, bia, room));
        Assert.Equal(["only once", "marker"], await StoredTextsAsync(bia, room));
    }

    [Fact]
    public async Task Repeats_sent_together_take_one_number_between_them()
    {
        var room = RoomName("burst");
        await using var ana = await InRoomAsync("ana", room);
        await using var bia = await InRoomAsync("bia", room);
        var id = Guid.NewGuid().ToString();

        // The repeats reach the room while the first is still waiting for its write.
        var acks = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ana.SendToRoomOnceAsync(room, "together", id, 0)));

        Assert.Single(acks.Select(a => a.GetProperty("seq").GetInt64()).Distinct());
        Assert.Equal(["together"], await BroadcastTextsUntilMarkerAsync(ana, bia, room));
    }

    [Fact]
    public async Task A_repeat_after_a_drop_and_Resume_gets_the_first_acknowledgement_and_no_second_broadcast()
    {
        var room = RoomName("drop");
        await using var proxy = new TcpProxy(front.BaseAddress);
        var ana = await front.ConnectAsync(proxy.Address);
        var registered = await ana.RegisterAsync(Nick("ana"));
        var joined = await ana.JoinRoomAsync(room);
        await using var bia = await InRoomAsync("bia", room);
        var id = Guid.NewGuid().ToString();
        var first = await ana.SendToRoomOnceAsync(room, "sent before the drop", id, joined.GetProperty("lastSeq").GetInt64());

        // The acknowledgement may be lost with the connection: the client cannot tell, so it sends again after Resume.
        proxy.DropAll();
        await ana.Closed.Task.WaitAsync(Inbox<int>.DefaultTimeout);
        await ana.DisposeAsync();
        await using var again = await front.ConnectAsync(proxy.Address);
        await again.Connection.InvokeAsync<JsonElement>("Resume", registered.GetProperty("resumeToken").GetString(), null);
        var repeat = await again.SendToRoomOnceAsync(room, "sent before the drop", id, joined.GetProperty("lastSeq").GetInt64());

        Assert.Equal(first.ToString(), repeat.ToString());
        Assert.Equal(["sent before the drop"], await BroadcastTextsUntilMarkerAsync(again, bia, room));
        Assert.Equal(["sent before the drop", "marker"], await StoredTextsAsync(bia, room));
    }

    [Fact]
    public async Task A_repeat_is_recognised_within_the_rooms_recent_window_and_refused_beyond_it_never_stored_twice()
    {
        var room = RoomName("window");
        await using var ana = await InRoomAsync("ana", room);
        await using var bia = await InRoomAsync("bia", room);
        var id = Guid.NewGuid().ToString();
        var first = await ana.SendToRoomOnceAsync(room, "early", id, 0);

        // Within the window (at least the last PageSize messages): the first answer still.
        await PostManyAsync(bia, room, HistoryLog.PageSize - 2);
        Assert.Equal(first.ToString(), (await ana.SendToRoomOnceAsync(room, "early", id, 0)).ToString());

        // Two pages later the first post has left the window: the room refuses rather than store it again.
        await PostManyAsync(bia, room, 2 * HistoryLog.PageSize);
        var late = await Assert.ThrowsAsync<HubException>(() => ana.SendToRoomOnceAsync(room, "early", id, 0));
        Assert.EndsWith($"HubException: {ChatErrors.TooLateToSendOnce}", late.Message);
        // A new id written that long ago cannot be told from a repeat either; with a current afterSeq it posts.
        var stale = await Assert.ThrowsAsync<HubException>(() => ana.SendToRoomOnceAsync(room, "new", Guid.NewGuid().ToString(), 0));
        Assert.EndsWith($"HubException: {ChatErrors.TooLateToSendOnce}", stale.Message);
        var lastSeq = (await bia.Connection.InvokeAsync<JsonElement>("History", room, null, 1))
            .GetProperty("messages")[0].GetProperty("seq").GetInt64();
        var fresh = await ana.SendToRoomOnceAsync(room, "new", Guid.NewGuid().ToString(), lastSeq);

        Assert.Equal(lastSeq + 1, fresh.GetProperty("seq").GetInt64());
        var history = await bia.Connection.InvokeAsync<JsonElement>("History", room, null, 100);
        Assert.Equal(1, history.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("msg").GetString() == "new"));
    }

    [Theory]
    [InlineData("not-a-guid", 0L)]
    [InlineData("", 0L)]
    [InlineData(null, 0L)]
    [InlineData("00000000-0000-0000-0000-000000000000", 0L)]
    [InlineData("{3f2c9a4e-8d1b-4c6f-a0e7-5b9d2c1e7f30}", 0L)]
    [InlineData("3f2c9a4e8d1b4c6fa0e75b9d2c1e7f30", 0L)]
    [InlineData("3f2c9a4e-8d1b-4c6f-a0e7-5b9d2c1e7f30", -1L)]
    public async Task A_bad_id_or_afterSeq_is_refused_with_its_error_text_and_posts_nothing(string? id, long afterSeq)
    {
        var room = RoomName("bad");
        await using var ana = await InRoomAsync("ana", room);

        var error = await Assert.ThrowsAsync<HubException>(() => ana.Connection.InvokeAsync<JsonElement>(
            "SendToRoomOnce", room, "hello", id, afterSeq));

        Assert.EndsWith($"HubException: {ChatErrors.InvalidMessageId}", error.Message);
        Assert.Empty(await StoredTextsAsync(ana, room));
    }

    [Fact]
    public async Task Someone_elses_id_is_refused_and_reveals_nothing_of_their_message()
    {
        var room = RoomName("theirs");
        await using var ana = await InRoomAsync("ana", room);
        await using var bia = await InRoomAsync("bia", room);
        var id = Guid.NewGuid().ToString();
        await ana.SendToRoomOnceAsync(room, "ana's words", id, 0);

        var error = await Assert.ThrowsAsync<HubException>(() => bia.SendToRoomOnceAsync(room, "bia's words", id, 0));

        Assert.EndsWith($"HubException: {ChatErrors.MessageIdTaken}", error.Message);
        Assert.Equal(["ana's words"], await StoredTextsAsync(bia, room));
    }

    [Fact]
    public async Task The_seed_methods_are_unchanged_each_call_is_a_new_message_with_a_server_id()
    {
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("ana"));
        var room = RoomName("seed");
        await ana.JoinRoomAsync(room);

        var inGeral = await ana.SendAsync("same text");
        var inGeralAgain = await ana.SendAsync("same text");
        var inRoom = await ana.SendToRoomAsync(room, "same text");
        var inRoomAgain = await ana.SendToRoomAsync(room, "same text");

        Assert.Equal("geral", inGeral.GetProperty("room").GetString());
        Assert.NotEqual(inGeral.GetProperty("id").GetString(), inGeralAgain.GetProperty("id").GetString());
        Assert.Equal(inRoom.GetProperty("seq").GetInt64() + 1, inRoomAgain.GetProperty("seq").GetInt64());
        Assert.Equal(["same text", "same text"], await StoredTextsAsync(ana, room));
        // SignalR binds by argument count: the seed method does not take the client id.
        var threeArguments = await Assert.ThrowsAsync<HubException>(() =>
            ana.Connection.InvokeAsync<JsonElement>("SendToRoom", room, "x", Guid.NewGuid().ToString()));
        Assert.Equal("Failed to invoke 'SendToRoom' due to an error on the server.", threeArguments.Message);
    }

    private async Task<ChatClient> InRoomAsync(string name, string room)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        await client.JoinRoomAsync(room);
        return client;
    }

    private static async Task PostManyAsync(ChatClient client, string room, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await client.SendToRoomAsync(room, $"filler {i}");
        }
    }

    /// <summary>
    /// The messages <paramref name="reader"/> is sent in the room until a marker <paramref name="sender"/> posts last:
    /// everything the room broadcast before it.
    /// </summary>
    private static async Task<List<string?>> BroadcastTextsUntilMarkerAsync(ChatClient sender, ChatClient reader, string room)
    {
        await sender.SendToRoomAsync(room, "marker");
        var texts = new List<string?>();
        while (true)
        {
            var e = await reader.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room);
            var text = e.Broadcast!.Value.GetProperty("msg").GetString();
            if (text == "marker")
            {
                return texts;
            }

            texts.Add(text);
        }
    }

    private static async Task<List<string?>> StoredTextsAsync(ChatClient client, string room)
    {
        var history = await client.Connection.InvokeAsync<JsonElement>("History", room, null, 100);
        return history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("msg").GetString()).ToList();
    }
}
