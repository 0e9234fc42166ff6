using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>A front that lets a user have three connections, so a test can reach the limit.</summary>
public sealed class ThreeConnectionsFrontFactory : ChatFrontFactory
{
    public const int MaxConnections = 3;

    public ThreeConnectionsFrontFactory() => With("OrleansChat:Rooms:MaxConnectionsPerUser", MaxConnections.ToString());
}

/// <summary>
/// Issue 16: one user in several tabs and devices at once. The resume token proves a connection is the user's: each
/// connection gets every event of the user's rooms, follows the rooms the others join and leave, and the user leaves
/// only when the last connection goes. Nobody else sees more than one user.
/// </summary>
public sealed class SeveralConnectionsTests(ThreeConnectionsFrontFactory front) : IClassFixture<ThreeConnectionsFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    private string Room(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task A_second_tab_with_the_token_joins_the_session_and_both_get_every_event_of_its_rooms()
    {
        await using var bia = await RegisteredAsync("bia");
        await using var laptop = await front.ConnectAsync();
        var token = await RegisterAsync(laptop, Nick("ana"));
        // Rooms' events are not ordered with each other: take ana's join of geral before watching dev.
        await bia.Events.FirstAsync(e => e.IsPresence(Nick("ana"), "joined"));
        await laptop.JoinRoomAsync(Room("dev"));
        await bia.JoinRoomAsync(Room("dev"));

        await using var phone = await front.ConnectAsync();
        var resumed = await phone.ResumeAsync(token);

        Assert.Equal(Nick("ana"), resumed.GetProperty("nickname").GetString());
        Assert.Equal(
            new[] { "geral", Room("dev") }.Order(),
            resumed.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()).Order());
        await bia.SendToRoomAsync(Room("dev"), "to both");
        Assert.Equal(Nick("bia"), (await laptop.Events.FirstAsync(e => e.IsMessage("to both"))).Broadcast!.Value.GetProperty("nickname").GetString());
        await phone.Events.FirstAsync(e => e.IsMessage("to both"));

        // Both speak for ana, and the room saw ana join once, never leave.
        await bia.Events.FirstAsync(e => e.IsMessage("to both"));
        await phone.SendToRoomAsync(Room("dev"), "from the phone");
        await laptop.SendToRoomAsync(Room("dev"), "from the laptop");
        var seen = await bia.EventsUntilMessageAsync("from the laptop");
        Assert.Single(seen, e => e.IsMessage("from the phone"));
        Assert.DoesNotContain(seen, e => e.IsPresence(Nick("ana"), "left") || e.IsPresence(Nick("ana"), "joined"));
        Assert.Equal(1, (await bia.Connection.InvokeAsync<JsonElement>("Members", Room("dev"), null, 50))
            .GetProperty("members").EnumerateArray().Count(m => m.GetString() == Nick("ana")));
    }

    [Fact]
    public async Task A_room_joined_in_one_tab_reaches_the_others_before_its_first_event_and_a_leave_takes_it_away()
    {
        await using var bia = await RegisteredAsync("bia");
        await using var laptop = await front.ConnectAsync();
        var token = await RegisterAsync(laptop, Nick("ana"));
        await using var phone = await front.ConnectAsync();
        await phone.ResumeAsync(token);
        await bia.JoinRoomAsync(Room("ops"));
        await bia.SendToRoomAsync(Room("ops"), "before ana");

        await laptop.JoinRoomAsync(Room("ops"));
        await bia.SendToRoomAsync(Room("ops"), "after ana");

        // The phone hears the room as a join would show it, then the room's events, in that order.
        var joined = await phone.Events.FirstAsync(e => e.Event is "room_joined" or "broadcast_message");
        Assert.Equal("room_joined", joined.Event);
        var room = joined.Broadcast!.Value;
        Assert.Equal(Room("ops"), room.GetProperty("room").GetString());
        Assert.Contains(Nick("ana"), room.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains(Nick("bia"), room.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(2, room.GetProperty("memberCount").GetInt32());
        // A message the front had not relayed yet when the phone followed comes live just after (protocol §9).
        var messages = room.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("msg").GetString()).ToList();
        foreach (var text in new[] { "before ana", "after ana" }.Where(text => !messages.Contains(text)))
        {
            var live = await phone.Events.FirstAsync(e => e.IsMessage(text));
            Assert.True(live.Broadcast!.Value.GetProperty("seq").GetInt64() > room.GetProperty("lastSeq").GetInt64());
        }

        await phone.SendToRoomAsync(Room("ops"), "the phone is in");

        await laptop.Connection.InvokeAsync("LeaveRoom", Room("ops"));
        var left = await phone.Events.FirstAsync(e => e.Event == "room_left");
        Assert.Equal(Room("ops"), left.Room);
        var refused = await Assert.ThrowsAsync<HubException>(() => phone.SendToRoomAsync(Room("ops"), "gone"));
        Assert.EndsWith(ChatErrors.NotInRoom, refused.Message);
        await bia.Events.FirstAsync(e => e.IsPresence(Nick("ana"), "left") && e.Room == Room("ops"));
    }

    [Fact]
    public async Task The_user_leaves_only_when_the_last_connection_goes()
    {
        await using var bia = await RegisteredAsync("bia");
        await using var laptop = await front.ConnectAsync();
        var token = await RegisterAsync(laptop, Nick("ana"));
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");
        var (tab, closeTab) = await front.ConnectPageAsync();
        await tab.ResumeAsync(token);
        await using var phone = await front.ConnectAsync();
        await phone.ResumeAsync(token);

        // A client told to stop, and a page closed: neither is the last, so nobody sees a leave.
        await laptop.Connection.StopAsync();
        await closeTab();
        await tab.Closed.Task.WaitAsync(Inbox<ChatClient.Received>.DefaultTimeout);
        await front.OnlyOpenAsync(2);
        await phone.SendAsync("still here");
        var seen = await bia.EventsUntilMessageAsync("still here");
        Assert.DoesNotContain(seen, e => e.Notice == $"{Nick("ana")} saiu do chat.");

        // The last one stopping is the user leaving, at once.
        await phone.Connection.StopAsync();
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} saiu do chat.");
        await tab.DisposeAsync();
        var expired = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await using var late = await front.ConnectAsync();
            await late.ResumeAsync(token);
        });
        Assert.EndsWith(ChatErrors.SessionExpired, expired.Message);
    }

    [Fact]
    public async Task One_connection_too_many_is_refused_with_a_clear_error_and_changes_nothing()
    {
        await using var bia = await RegisteredAsync("bia");
        await using var laptop = await front.ConnectAsync();
        await using var tablet = await front.ConnectAsync();
        await using var phone = await front.ConnectAsync();
        var token = await RegisterAsync(laptop, Nick("ana"));
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");
        await tablet.ResumeAsync(token);
        await phone.ResumeAsync(token);

        await using var oneTooMany = await front.ConnectAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() => oneTooMany.ResumeAsync(token));
        Assert.EndsWith(ChatErrors.TooManyConnections, refused.Message);

        // The refused connection is not the user's, and the others are untouched.
        var notRegistered = await Assert.ThrowsAsync<HubException>(() => oneTooMany.SendAsync("sneaky"));
        Assert.EndsWith(ChatErrors.NotRegistered, notRegistered.Message);
        await bia.SendAsync("to all three");
        foreach (var client in new[] { laptop, tablet, phone })
        {
            await client.Events.FirstAsync(e => e.IsMessage("to all three"));
        }

        // Once one goes, another may come: the limit counts connections, not attempts.
        await laptop.Connection.StopAsync();
        await front.OnlyOpenAsync(ThreeConnectionsFrontFactory.MaxConnections + 1);
        await oneTooMany.ResumeAsync(token);
        await oneTooMany.SendAsync("the fourth is in");
        var seen = await bia.EventsUntilMessageAsync("the fourth is in");
        Assert.DoesNotContain(seen, e => e.Notice is not null && e.Notice.StartsWith(Nick("ana"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stranger_still_cannot_take_the_nickname_nor_join_its_session_with_a_wrong_token()
    {
        await using var ana = await front.ConnectAsync();
        var token = await RegisterAsync(ana, Nick("ana"));
        await using var stranger = await front.ConnectAsync();

        var taken = await Assert.ThrowsAsync<HubException>(() => stranger.RegisterAsync(Nick("ana")));
        Assert.EndsWith(ChatErrors.NicknameTaken, taken.Message);
        var forged = token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        var refused = await Assert.ThrowsAsync<HubException>(() => stranger.ResumeAsync(forged));
        Assert.EndsWith(ChatErrors.SessionExpired, refused.Message);
        await stranger.RegisterAsync(Nick("other"));
    }

    private async Task<string> RegisterAsync(ChatClient client, string nickname) =>
        (await client.RegisterAsync(nickname)).GetProperty("resumeToken").GetString()!;

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        return client;
    }
}
