using System.Diagnostics;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// Issue 16: a reload is invisible. The tab keeps its session in sessionStorage and the server holds a closed page's
/// session for the reload grace (5 s), so a reload comes back signed in, in the room it showed, with what it missed,
/// and nobody sees it leave or join; closing the tab for good is still announced within seconds.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageReloadTests(BrowserFixture browser)
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    [Fact]
    public async Task A_reload_in_the_middle_of_a_conversation_comes_back_signed_in_in_the_same_room_and_nobody_sees_it()
    {
        var room = Unique("sala");
        var (anaName, biaName) = (Unique("ana"), Unique("bia"));
        await using var ana = await browser.OpenInRoomAsync(anaName, room);
        await using var bia = await browser.OpenInRoomAsync(biaName, room);
        await bia.SendAsync("before the reload");
        await Expect(ana.Message("before the reload")).ToHaveCountAsync(1);

        var reload = ana.Page.ReloadAsync();
        await bia.SendAsync("during the reload");
        await reload;

        await Expect(ana.Status).ToHaveTextAsync("Connected");
        await Expect(ana.Page.Locator("#who")).ToHaveTextAsync(anaName);
        await Expect(ana.RoomTitle).ToHaveTextAsync($"#{room}");
        await Expect(ana.Message("during the reload")).ToHaveCountAsync(1);
        Assert.Equal(["before the reload", "during the reload"], await ana.MessageTextsAsync());
        await ana.SendAsync("after the reload");
        await Expect(bia.Message("after the reload")).ToHaveCountAsync(1);
        await Expect(bia.Notices.Filter(new() { HasText = anaName })).ToHaveCountAsync(0);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(1);
        await bia.AssertCleanAsync();
        await ana.AssertCleanAsync();
    }

    [Fact]
    public async Task Closing_the_tab_for_good_is_announced_within_seconds()
    {
        var room = Unique("sala");
        var (anaName, biaName) = (Unique("ana"), Unique("bia"));
        var ana = await browser.OpenInRoomAsync(anaName, room);
        await using var bia = await browser.OpenInRoomAsync(biaName, room);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(1);

        var closed = Stopwatch.StartNew();
        await ana.DisposeAsync();

        await Expect(bia.Notices.Filter(new() { HasText = $"{anaName} left." })).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        Assert.True(closed.Elapsed < TimeSpan.FromSeconds(15), $"announced {closed.Elapsed} after the tab closed");
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(0);
    }
}
