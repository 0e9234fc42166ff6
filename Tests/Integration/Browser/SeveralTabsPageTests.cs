using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// Issue 16: one user in several tabs and on several devices at once. A new tab of the same browser comes in signed
/// in, with the session's rooms; a room joined or left in one tab is joined or left in the others; another device
/// comes in through the device link; and nobody else sees any of it, until the user's last tab closes.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SeveralTabsPageTests(BrowserFixture browser)
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    private static ILocator Listed(ChatPage page, string room) =>
        page.Page.Locator($"#room-list button[data-room='{room}']");

    [Fact]
    public async Task A_second_tab_comes_in_signed_in_and_follows_the_rooms_joined_and_left_in_the_first()
    {
        var room = Unique("sala");
        var (anaName, biaName) = (Unique("ana"), Unique("bia"));
        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(anaName);
        await using var bia = await browser.OpenAsync();
        await bia.JoinAsync(biaName);

        var second = await ana.OpenTabAsync();
        await Expect(second.Page.Locator("#chat")).ToBeVisibleAsync();
        await Expect(second.Page.Locator("#who")).ToHaveTextAsync(anaName);
        await Expect(second.RoomTitle).ToHaveTextAsync("#geral");

        // Presence goes out before a later message of the room: once this arrives, a join for the tab would have too.
        await bia.SendAsync("hello, both tabs");
        await Expect(second.Message("hello, both tabs")).ToHaveCountAsync(1);
        await Expect(ana.Message("hello, both tabs")).ToHaveCountAsync(1);
        await Expect(bia.Notices.Filter(new() { HasText = anaName })).ToHaveCountAsync(0);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(1);

        await bia.JoinRoomAsync(room);
        await ana.JoinRoomAsync(room);
        await Expect(Listed(second, room)).ToHaveCountAsync(1);
        await Expect(second.RoomTitle).ToHaveTextAsync("#geral"); // listed, not switched to
        await bia.SendAsync("in the room");
        await Listed(second, room).ClickAsync();
        await Expect(second.RoomTitle).ToHaveTextAsync($"#{room}");
        await Expect(second.Message("in the room")).ToHaveCountAsync(1);
        await Expect(ana.Message("in the room")).ToHaveCountAsync(1);
        await Expect(bia.Notices.Filter(new() { HasText = $"{anaName} joined." })).ToHaveCountAsync(1);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(1);

        await second.LeaveRoomAsync(room);
        await Expect(Listed(ana, room)).ToHaveCountAsync(0);
        await Expect(ana.RoomTitle).ToHaveTextAsync("#geral");
        await Expect(bia.Notices.Filter(new() { HasText = $"{anaName} left." })).ToHaveCountAsync(1);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(0);
        await Expect(bia.Notices.Filter(new() { HasText = $"{anaName} joined." })).ToHaveCountAsync(1);

        await second.AssertCleanAsync();
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task Closing_one_of_two_tabs_is_not_a_leave_and_closing_the_last_is_announced_within_seconds()
    {
        var anaName = Unique("ana");
        await using var bia = await browser.Front.ConnectAsync();
        await bia.RegisterAsync(Unique("bia"));
        var ana = await browser.OpenAsync();
        await ana.JoinAsync(anaName);
        await bia.Events.FirstAsync(e => e.IsPresence(anaName, "joined"), BrowserFixture.Patience);
        var second = await ana.OpenTabAsync();
        await Expect(second.Page.Locator("#who")).ToHaveTextAsync(anaName);

        await second.Page.CloseAsync();

        // Twice the reload grace (5 s) that a closed page's session is held for, had it been the last.
        await Assert.ThrowsAsync<TimeoutException>(
            () => bia.Events.FirstAsync(e => e.IsPresence(anaName, "joined") || e.IsPresence(anaName, "left"), TimeSpan.FromSeconds(10)));
        await Expect(ana.Status).ToHaveAttributeAsync("data-state", "connected");

        var closed = Stopwatch.StartNew();
        await ana.DisposeAsync();

        await bia.Events.FirstAsync(e => e.IsPresence(anaName, "left"), TimeSpan.FromSeconds(20));
        Assert.True(closed.Elapsed < TimeSpan.FromSeconds(15), $"announced {closed.Elapsed} after the last tab closed");
    }

    [Fact]
    public async Task Another_device_comes_in_through_the_device_link_and_what_it_reads_is_read_on_the_first()
    {
        var room = Unique("lidas");
        var anaName = Unique("ana");
        await using var ana = await browser.OpenInRoomAsync(anaName, room);
        await Listed(ana, "geral").ClickAsync();

        await ana.Page.GetByRole(AriaRole.Button, new() { Name = "Use on another device" }).ClickAsync();
        var field = ana.Page.GetByRole(AriaRole.Textbox, new() { Name = "Link for another device" });
        await Expect(field).ToHaveValueAsync(new Regex("/#device=."));
        var link = await field.InputValueAsync();
        Assert.StartsWith(new Uri(browser.Front.BaseAddress, "/#device=").ToString(), link);
        Assert.Empty(await ana.AccessibilityViolationsAsync());

        // The phone had the chat open already, at the prompt; the link is pasted into its address bar.
        await using var phone = await browser.OpenAsync();
        await Expect(phone.Page.Locator("#join")).ToBeVisibleAsync();
        await phone.Page.EvaluateAsync("link => { location.href = link; }", link);
        await Expect(phone.Page.Locator("#who")).ToHaveTextAsync(anaName);
        Assert.DoesNotContain("#device", phone.Page.Url); // a secret: not left in the address bar and history
        await Expect(Listed(phone, room)).ToHaveCountAsync(1);

        await using var bia = await browser.Front.ConnectAsync();
        await bia.RegisterAsync(Unique("bia"));
        await bia.JoinRoomAsync(room);
        await bia.SendToRoomAsync(room, "one");
        await bia.SendToRoomAsync(room, "two");
        var badge = Listed(ana, room).Locator(".badge");
        await Expect(badge).ToHaveTextAsync("2");
        await Expect(Listed(phone, room).Locator(".badge")).ToHaveTextAsync("2");

        await Listed(phone, room).ClickAsync();
        await Expect(phone.Message("two")).ToHaveCountAsync(1);
        await Expect(badge).ToHaveCountAsync(0, new() { Timeout = 5_000 });
        await Expect(ana.Page).ToHaveTitleAsync("OrleansChat");

        await phone.AssertCleanAsync();
        await ana.AssertCleanAsync();
    }

    [Fact]
    public async Task Signing_out_in_one_tab_signs_out_every_tab_of_the_browser_and_the_others_see_the_user_leave()
    {
        var anaName = Unique("ana");
        await using var bia = await browser.Front.ConnectAsync();
        await bia.RegisterAsync(Unique("bia"));
        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(anaName);
        var second = await ana.OpenTabAsync();
        await Expect(second.Page.Locator("#chat")).ToBeVisibleAsync();
        await bia.Events.FirstAsync(e => e.IsPresence(anaName, "joined"));

        await ana.Page.Locator("#sign-out").ClickAsync();

        // The second tab is still open: only its own sign-out, following the first's, can make ana leave.
        await Expect(second.Page.Locator("#join")).ToBeVisibleAsync();
        await Expect(second.Page.Locator("#chat")).ToBeHiddenAsync();
        await bia.Events.FirstAsync(e => e.IsPresence(anaName, "left"));
        await second.Page.ReloadAsync();
        await Expect(second.Page.Locator("#join")).ToBeVisibleAsync();
        await second.AssertCleanAsync();
    }

    [Fact]
    public async Task After_signing_out_a_new_tab_asks_for_a_nickname()
    {
        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(Unique("ana"));
        await ana.Page.Locator("#sign-out").ClickAsync();
        await Expect(ana.Page.Locator("#join")).ToBeVisibleAsync();

        var second = await ana.OpenTabAsync();

        Assert.Null(await second.Page.EvaluateAsync<string?>("() => localStorage.getItem('chat.session')"));
        await Expect(second.Page.Locator("#join")).ToBeVisibleAsync();
        await Expect(second.Page.Locator("#join-button")).ToBeEnabledAsync();
        await Expect(second.Page.Locator("#chat")).ToBeHiddenAsync();
        await second.AssertCleanAsync();
    }

    [Fact]
    public async Task A_tab_beyond_the_connections_a_user_may_have_says_so_at_the_prompt()
    {
        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(Unique("ana"));
        var token = await ana.Page.EvaluateAsync<string>(
            "() => JSON.parse(localStorage.getItem('chat.session')).token");
        var others = new List<ChatClient>();
        try
        {
            // The page is one connection; nine more make the ten a user may have (MaxConnectionsPerUser).
            for (var i = 0; i < 9; i++)
            {
                var other = await browser.Front.ConnectAsync();
                others.Add(other);
                await other.ResumeAsync(token);
            }

            var refused = await ana.OpenTabAsync();

            await Expect(refused.Page.Locator("#join-error")).ToHaveTextAsync(ChatErrors.TooManyConnections);
            await Expect(refused.Page.Locator("#join")).ToBeVisibleAsync();
            await Expect(refused.Page.Locator("#chat")).ToBeHiddenAsync();
            await Expect(ana.Status).ToHaveAttributeAsync("data-state", "connected");
            await refused.AssertCleanAsync();
        }
        finally
        {
            foreach (var other in others)
            {
                await other.DisposeAsync();
            }
        }
    }
}
