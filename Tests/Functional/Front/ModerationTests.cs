using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>Administrators kick users and ban nicknames from rooms; everyone else is refused.</summary>
public sealed class ModerationTests(SignedInFrontFactory front) : IClassFixture<SignedInFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task A_kicked_user_is_told_why_and_disconnected_and_the_others_see_them_leave()
    {
        await using var admin = await front.SignInAsync(Nick("mod"), TestTokens.AdminRole);
        await using var bia = await front.SignInAsync(Nick("bia"));
        await using var caio = await front.SignInAsync(Nick("caio"));
        await bia.RegisterAsync(null);
        await caio.RegisterAsync(null);

        await admin.Connection.InvokeAsync("Kick", Nick("BIA"));

        var notice = (await bia.Events.FirstAsync(e => e.Event == "removed")).Broadcast!.Value;
        Assert.Equal((ChatRules.DefaultRoom, Nick("bia"), "kicked"), (
            notice.GetProperty("room").GetString(), notice.GetProperty("nickname").GetString(), notice.GetProperty("reason").GetString()));
        await bia.Closed.Task.WaitAsync(Inbox<int>.DefaultTimeout);
        await caio.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} saiu do chat.");
        await caio.Events.FirstAsync(e => e.Event == "presence"
            && e.Broadcast!.Value.GetProperty("nickname").GetString() == Nick("bia")
            && e.Broadcast!.Value.GetProperty("kind").GetString() == "left");

        // A kick is not a ban: the user may come back.
        await using var biaAgain = await front.SignInAsync(Nick("bia"));
        Assert.Equal(Nick("bia"), (await biaAgain.RegisterAsync(null)).GetProperty("nickname").GetString());
    }

    [Fact]
    public async Task A_kick_closes_every_connection_of_the_user()
    {
        await using var admin = await front.SignInAsync(Nick("mod"), TestTokens.AdminRole);
        await using var caio = await front.SignInAsync(Nick("caio"));
        await caio.RegisterAsync(null);
        await using var laptop = await front.SignInAsync(Nick("bia"));
        await using var phone = await front.SignInAsync(Nick("bia"));
        await laptop.RegisterAsync(null);
        await phone.RegisterAsync(null);

        await admin.Connection.InvokeAsync("Kick", Nick("bia"));

        foreach (var device in new[] { laptop, phone })
        {
            Assert.Equal("kicked", (await device.Events.FirstAsync(e => e.Event == "removed")).Broadcast!.Value.GetProperty("reason").GetString());
            await device.Closed.Task.WaitAsync(Inbox<int>.DefaultTimeout);
        }

        await caio.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} saiu do chat.");
    }

    [Fact]
    public async Task A_banned_user_leaves_the_room_and_cannot_rejoin_or_post_until_unbanned()
    {
        var room = "dev" + _tag;
        await using var admin = await front.SignInAsync(SignedInFrontFactory.ListedAdmin);
        await using var bia = await front.SignInAsync(Nick("bia"));
        await using var caio = await front.SignInAsync(Nick("caio"));
        await bia.RegisterAsync(null);
        await caio.RegisterAsync(null);
        await bia.JoinRoomAsync(room);
        await caio.JoinRoomAsync(room);

        await admin.Connection.InvokeAsync("Ban", room, Nick("bia"));

        var notice = (await bia.Events.FirstAsync(e => e.Event == "removed")).Broadcast!.Value;
        Assert.Equal((room, "banned"), (notice.GetProperty("room").GetString(), notice.GetProperty("reason").GetString()));
        await caio.Events.FirstAsync(e => e.Event == "presence" && e.Room == room
            && e.Broadcast!.Value.GetProperty("kind").GetString() == "left");
        var post = await Assert.ThrowsAsync<HubException>(() => bia.SendToRoomAsync(room, "still here?"));
        var rejoin = await Assert.ThrowsAsync<HubException>(() => bia.JoinRoomAsync(room));
        var history = await Assert.ThrowsAsync<HubException>(() =>
            bia.Connection.InvokeAsync<JsonElement>("History", room, null, 10));
        Assert.EndsWith(ChatErrors.Banned, post.Message);
        Assert.EndsWith(ChatErrors.Banned, rejoin.Message);
        Assert.EndsWith(ChatErrors.NotInRoom, history.Message);
        await bia.SendAsync("geral still works");

        await admin.Connection.InvokeAsync("Unban", room, Nick("BIA"));
        var back = await bia.JoinRoomAsync(room);
        await bia.SendToRoomAsync(room, "back " + _tag);

        Assert.Contains(Nick("bia"), back.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        await caio.Events.FirstAsync(e => e.IsMessage("back " + _tag));
    }

    [Fact]
    public async Task An_administrator_deletes_anyone_s_message_and_a_signed_in_author_edits_from_another_device()
    {
        await using var admin = await front.SignInAsync(SignedInFrontFactory.ListedAdmin);
        await using var bia = await front.SignInAsync(Nick("bia"));
        await using var caio = await front.SignInAsync(Nick("caio"));
        await bia.RegisterAsync(null);
        await caio.RegisterAsync(null);
        var first = (await bia.SendAsync("first")).GetProperty("seq").GetInt64();
        var second = (await bia.SendAsync("second")).GetProperty("seq").GetInt64();

        await AssertRefusedAsync(ChatErrors.NotYourMessage, () => caio.Connection.InvokeAsync<JsonElement>("DeleteMessage", "geral", first));
        var deleted = await admin.Connection.InvokeAsync<JsonElement>("DeleteMessage", "geral", first);
        // The account owns its messages: another device edits what the first one wrote.
        await using var biaPhone = await front.SignInAsync(Nick("bia"));
        await biaPhone.RegisterAsync(null);
        await biaPhone.Connection.InvokeAsync<JsonElement>("EditMessage", "geral", second, "second, from the phone");

        Assert.Equal((true, SignedInFrontFactory.ListedAdmin), (deleted.GetProperty("deleted").GetBoolean(), deleted.GetProperty("by").GetString()));
        var update = (await caio.Events.FirstAsync(e => e.Event == "message_updated")).Broadcast!.Value;
        Assert.Equal((first, true, SignedInFrontFactory.ListedAdmin), (
            update.GetProperty("seq").GetInt64(), update.GetProperty("deleted").GetBoolean(), update.GetProperty("by").GetString()));
        var edit = (await caio.Events.FirstAsync(e => e.Event == "message_updated")).Broadcast!.Value;
        Assert.Equal((second, "second, from the phone"), (edit.GetProperty("seq").GetInt64(), edit.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task Users_who_are_not_administrators_get_a_clear_error()
    {
        await using var bia = await front.SignInAsync(Nick("bia"));
        await using var caio = await front.SignInAsync(Nick("caio"), "some-other-role");
        await bia.RegisterAsync(null);
        await caio.RegisterAsync(null);

        var kick = await Assert.ThrowsAsync<HubException>(() => caio.Connection.InvokeAsync("Kick", Nick("bia")));
        var ban = await Assert.ThrowsAsync<HubException>(() => caio.Connection.InvokeAsync("Ban", "geral", Nick("bia")));
        var unban = await Assert.ThrowsAsync<HubException>(() => caio.Connection.InvokeAsync("Unban", "geral", Nick("bia")));

        Assert.All([kick, ban, unban], e => Assert.EndsWith(ChatErrors.NotAdmin, e.Message));
        Assert.Equal(JsonValueKind.Object, (await bia.SendAsync("still connected")).ValueKind);
    }

    [Fact]
    public async Task Kicking_a_nickname_nobody_uses_says_so()
    {
        await using var admin = await front.SignInAsync(Nick("mod"), TestTokens.AdminRole);

        var error = await Assert.ThrowsAsync<HubException>(() => admin.Connection.InvokeAsync("Kick", Nick("ghost")));

        Assert.EndsWith(ChatErrors.NotOnline, error.Message);
    }

    private static async Task AssertRefusedAsync(string error, Func<Task> call) =>
        Assert.EndsWith(error, (await Assert.ThrowsAsync<HubException>(call)).Message);
}
