using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Issue 17, direct messages over the hub: a conversation is opened by naming users who are online, reaches them as a
/// room joined elsewhere, and is a room for them only. Anyone else is answered as for a conversation that does not
/// exist.
/// </summary>
public sealed class DirectMessageTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task The_other_user_is_brought_in_with_room_joined_and_then_receives_the_message()
    {
        await using var ana = await RegisteredAsync("Ana");
        await using var bia = await RegisteredAsync("bia");

        var opened = await OpenAsync(ana, Nick("BIA"));
        var room = opened.GetProperty("joined").GetProperty("room").GetString()!;
        await ana.SendToRoomAsync(room, "oi, só para você");

        var first = await bia.Events.FirstAsync(e => e.Room == room);
        var message = await bia.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room);
        Assert.Equal("room_joined", first.Event);
        Assert.Equal([Nick("Ana"), Nick("bia")], Strings(first.Broadcast!.Value.GetProperty("members")));
        Assert.Equal("oi, só para você", message.Broadcast!.Value.GetProperty("msg").GetString());
        Assert.Equal([Nick("Ana"), Nick("bia")], Strings(opened.GetProperty("participants")));
        Assert.Matches("^@[a-z2-7]{26}$", room);
        var reply = await bia.SendToRoomAsync(room, "oi!");
        Assert.Equal(2, reply.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task A_pair_is_one_conversation_whoever_opens_it_and_a_group_is_new_each_time()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        await using var caio = await RegisteredAsync("caio");

        var first = Room(await OpenAsync(ana, Nick("bia")));
        var again = Room(await OpenAsync(bia, Nick("ana")));
        var group = Room(await OpenAsync(ana, Nick("bia"), Nick("caio")));
        var otherGroup = Room(await OpenAsync(ana, Nick("bia"), Nick("caio")));

        Assert.Equal(first, again);
        Assert.NotEqual(group, otherGroup);
        await caio.Events.FirstAsync(e => e.Event == "room_joined" && e.Room == group);
        await caio.Events.FirstAsync(e => e.Event == "room_joined" && e.Room == otherGroup);
    }

    [Fact]
    public async Task Someone_else_cannot_join_read_or_list_it_and_is_answered_as_for_a_made_up_one()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        await using var eve = await RegisteredAsync("eve");
        var room = Room(await OpenAsync(ana, Nick("bia")));
        await ana.SendToRoomAsync(room, "segredo");
        var madeUp = ConversationIds.NewGroup();

        var join = await Assert.ThrowsAsync<HubException>(() => eve.JoinRoomAsync(room));
        var joinMadeUp = await Assert.ThrowsAsync<HubException>(() => eve.JoinRoomAsync(madeUp));
        var rejoin = await Assert.ThrowsAsync<HubException>(() => eve.Connection.InvokeAsync<JsonElement>("RejoinRoom", room, null, 0L));
        var history = await Assert.ThrowsAsync<HubException>(() => eve.Connection.InvokeAsync<JsonElement>("History", room, null, 10));
        var send = await Assert.ThrowsAsync<HubException>(() => eve.SendToRoomAsync(room, "posso?"));
        var members = await Assert.ThrowsAsync<HubException>(() => eve.Connection.InvokeAsync<JsonElement>("Members", room, null, 10));
        var listed = await eve.Connection.InvokeAsync<JsonElement>("ListRooms");
        var evesList = await eve.Connection.InvokeAsync<JsonElement>("Conversations");

        Assert.EndsWith(ChatErrors.NoSuchConversation, join.Message);
        Assert.Equal(join.Message, joinMadeUp.Message);
        Assert.EndsWith(ChatErrors.NoSuchConversation, rejoin.Message);
        Assert.All(new[] { history, send, members }, e => Assert.EndsWith(ChatErrors.NotInRoom, e.Message));
        Assert.DoesNotContain(listed.EnumerateArray(), r => r.GetProperty("room").GetString()!.StartsWith('@'));
        Assert.Empty(evesList.EnumerateArray());
        await ana.SendAsync($"marker{_tag}");
        Assert.DoesNotContain(await eve.EventsUntilMessageAsync($"marker{_tag}"), e => e.Room == room);
    }

    [Fact]
    public async Task Bad_requests_get_clear_errors_and_open_nothing()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var crowd = Enumerable.Range(0, 8).Select(i => Nick($"p{i}")).ToArray();

        var nobody = await RefusalAsync(ana, Nick("ghost"));
        var herself = await RefusalAsync(ana, Nick("ANA"));
        var tooMany = await RefusalAsync(ana, crowd);
        var twice = await RefusalAsync(ana, Nick("bia"), Nick("Bia"));
        var none = await RefusalAsync(ana);
        var invalid = await RefusalAsync(ana, "bad\nname");
        var nullList = await Assert.ThrowsAsync<HubException>(() => ana.Connection.InvokeAsync<JsonElement>("OpenConversation", (string[]?)null));
        var publicAt = await Assert.ThrowsAsync<HubException>(() => ana.JoinRoomAsync("@lobby"));
        var fullWidthAt = await Assert.ThrowsAsync<HubException>(() => ana.JoinRoomAsync("＠lobby"));

        Assert.EndsWith(ChatErrors.NotOnline, nobody);
        Assert.EndsWith(ChatErrors.ConversationWithYourself, herself);
        Assert.EndsWith(ChatErrors.ConversationTooBig, tooMany);
        Assert.EndsWith(ChatErrors.InvalidConversation, twice);
        Assert.EndsWith(ChatErrors.InvalidConversation, none);
        Assert.EndsWith(ChatErrors.InvalidNickname, invalid);
        Assert.EndsWith(ChatErrors.InvalidConversation, nullList.Message);
        Assert.EndsWith(ChatErrors.InvalidRoom, publicAt.Message);
        Assert.EndsWith(ChatErrors.InvalidRoom, fullWidthAt.Message);
        Assert.Empty((await ana.Connection.InvokeAsync<JsonElement>("Conversations")).EnumerateArray());
        await ana.SendAsync($"marker{_tag}");
        Assert.DoesNotContain(await bia.EventsUntilMessageAsync($"marker{_tag}"), e => e.Event == "room_joined");
    }

    [Fact]
    public async Task The_list_gives_each_conversations_participants_last_message_and_read_position()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var room = Room(await OpenAsync(ana, Nick("bia")));
        await bia.Events.FirstAsync(e => e.Event == "room_joined" && e.Room == room);
        for (var i = 1; i <= 3; i++)
        {
            await ana.SendToRoomAsync(room, $"m{i}");
        }

        await bia.Connection.InvokeAsync("MarkRead", room, 1L);
        await bia.Events.FirstAsync(e => e.Event == "read_position" && e.Room == room);
        var list = await bia.Connection.InvokeAsync<JsonElement>("Conversations");

        var listing = Assert.Single(list.EnumerateArray());
        Assert.Equal(room, listing.GetProperty("room").GetString());
        Assert.Equal([Nick("ana"), Nick("bia")], Strings(listing.GetProperty("participants")));
        Assert.Equal((3L, 1L), (listing.GetProperty("lastSeq").GetInt64(), listing.GetProperty("readSeq").GetInt64()));

        // Left, it stays on the list, and its name takes the participant back in.
        await bia.Connection.InvokeAsync("LeaveRoom", room);
        var stillListed = await bia.Connection.InvokeAsync<JsonElement>("Conversations");
        var back = await bia.JoinRoomAsync(room);
        Assert.Equal(room, Assert.Single(stillListed.EnumerateArray()).GetProperty("room").GetString());
        Assert.Equal((room, 1L), (back.GetProperty("room").GetString(), back.GetProperty("readSeq").GetInt64()));
    }

    [Fact]
    public async Task A_resume_returns_exactly_what_was_missed_in_the_conversation()
    {
        await using var ana = await RegisteredAsync("ana");
        var (bia, closePage) = await front.ConnectPageAsync();
        await using var _ = bia;
        var token = (await bia.RegisterAsync(Nick("bia"))).GetProperty("resumeToken").GetString();
        var room = Room(await OpenAsync(ana, Nick("bia")));
        var joined = (await bia.Events.FirstAsync(e => e.Event == "room_joined" && e.Room == room)).Broadcast!.Value;
        await ana.SendToRoomAsync(room, "antes");
        await bia.Events.FirstAsync(e => e.IsMessage("antes"));

        await closePage();
        await bia.Closed.Task.WaitAsync(Inbox<ChatClient.Received>.DefaultTimeout);
        await ana.SendToRoomAsync(room, "durante 1");
        await ana.SendToRoomAsync(room, "durante 2");
        await using var back = await front.ConnectAsync();
        var resumed = await back.Connection.InvokeAsync<JsonElement>(
            "Resume", token, new[] { new { room, epoch = joined.GetProperty("epoch").GetString(), lastSeq = 1L } });
        await ana.SendToRoomAsync(room, "depois");

        var again = resumed.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room);
        Assert.True(again.GetProperty("recovered").GetBoolean());
        Assert.Equal(["durante 1", "durante 2", "depois"], await SeenUntilAsync(back, again, "depois"));
    }

    /// <summary>
    /// What a client shows of a room from a join result on (protocol §9): its messages, then every later message
    /// event of the room, up to the one with <paramref name="last"/>. The seam may fall anywhere among them.
    /// </summary>
    internal static async Task<List<string>> SeenUntilAsync(ChatClient client, JsonElement joined, string last)
    {
        var room = joined.GetProperty("room").GetString();
        var seen = joined.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("msg").GetString()!).ToList();
        var seam = joined.GetProperty("lastSeq").GetInt64();
        while (seen.Count == 0 || seen[^1] != last)
        {
            var message = (await client.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == room)).Broadcast!.Value;
            if (message.GetProperty("seq").GetInt64() > seam)
            {
                seen.Add(message.GetProperty("msg").GetString()!);
            }
        }

        return seen;
    }

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        return client;
    }

    private static Task<JsonElement> OpenAsync(ChatClient client, params string[] nicknames) =>
        client.Connection.InvokeAsync<JsonElement>("OpenConversation", nicknames);

    private static async Task<string> RefusalAsync(ChatClient client, params string[] nicknames) =>
        (await Assert.ThrowsAsync<HubException>(() => OpenAsync(client, nicknames))).Message;

    private static string Room(JsonElement opened) => opened.GetProperty("joined").GetProperty("room").GetString()!;

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
