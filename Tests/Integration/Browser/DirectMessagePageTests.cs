using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// Direct messages on the page (issue 17): one user starts a conversation from the sidebar; the other finds it under
/// "Direct messages", named by the writer, with an unread badge, opens it and replies.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DirectMessagePageTests(BrowserFixture browser)
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    [Fact]
    public async Task A_user_writes_to_another_who_sees_it_unread_under_direct_messages_opens_it_and_replies()
    {
        var (anaName, biaName) = (Unique("ana"), Unique("bia"));
        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(anaName);
        await using var bia = await browser.OpenAsync();
        await bia.JoinAsync(biaName);

        await ana.Page.Locator("#dm-names").FillAsync(biaName);
        await ana.Page.Locator("#dm-names").PressAsync("Enter");
        await Expect(ana.RoomTitle).ToHaveTextAsync(biaName);
        await ana.SendAsync("oi, só entre nós");

        var fromAna = bia.Page.Locator("#dm-list button[data-room]", new() { HasText = anaName });
        await Expect(fromAna.Locator(".badge")).ToHaveTextAsync("1");
        await Expect(bia.RoomTitle).ToHaveTextAsync("#geral");
        // A conversation is listed under its people only, never by its id among the rooms.
        await Expect(bia.Page.Locator("#room-list button[data-room^='@']")).Not.ToBeVisibleAsync();
        await fromAna.ClickAsync();
        await Expect(bia.RoomTitle).ToHaveTextAsync(anaName);
        await Expect(bia.Message("oi, só entre nós")).ToHaveCountAsync(1);
        await Expect(fromAna.Locator(".badge")).ToHaveCountAsync(0);
        await bia.SendAsync("oi! recebi");

        await Expect(ana.Message("oi! recebi")).ToHaveCountAsync(1);
        await Expect(ana.Page.Locator("#dm-list button[aria-current='true']")).ToHaveTextAsync(biaName);
        Assert.Empty(await bia.AccessibilityViolationsAsync());
        await bia.ScreenshotAsync("17-direct-messages");

        // Left, the conversation stays under Direct messages, and entering it again brings back what was said.
        await bia.Page.Locator("#leave-room").ClickAsync();
        await Expect(bia.RoomTitle).ToHaveTextAsync("#geral");
        await fromAna.ClickAsync();
        await Expect(bia.RoomTitle).ToHaveTextAsync(anaName);
        await Expect(bia.Message("oi! recebi")).ToHaveCountAsync(1);
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task Writing_to_nobody_says_so_under_the_form()
    {
        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(Unique("ana"));

        await ana.Page.Locator("#dm-names").FillAsync(Unique("ninguem"));
        await ana.Page.Locator("#dm-names").PressAsync("Enter");

        await Expect(ana.Page.Locator("#dm-error")).ToHaveTextAsync("No one is using that nickname.");
        await Expect(ana.Page.Locator("#dm-list li")).ToHaveCountAsync(0);
        await ana.AssertCleanAsync();
    }
}
