using System.Diagnostics;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>The page keeps trying all through the server's grace period (30 s here, the default).</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReconnectPageTests(BrowserFixture browser)
{
    /// <summary>Longer than SignalR's default schedule tolerates well (0, 2, 12, 42 s), shorter than the grace.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(14);

    /// <summary>
    /// How soon after the network returns the page must be back: one retry step (at most 3.75 s) plus the resume.
    /// The page's previous schedule (…, 8, 13, 23 s) would have taken 9 s from here.
    /// </summary>
    private static readonly TimeSpan BackWithin = TimeSpan.FromSeconds(8);

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    [Fact]
    public async Task An_outage_of_14_seconds_shows_no_leave_and_the_page_comes_back_with_every_message_soon_after()
    {
        var room = Unique("queda");
        var anaName = Unique("ana");
        await using var proxy = new TcpProxy(browser.Front.BaseAddress);
        await using var ana = await browser.OpenAsync(via: proxy.Address);
        ana.ExpectConnectionErrors = true;
        await ana.JoinAsync(anaName);
        await ana.JoinRoomAsync(room);
        await using var bia = await browser.OpenAsync();
        await bia.JoinAsync(Unique("bia"));
        await bia.JoinRoomAsync(room);
        await Expect(bia.Members).ToHaveCountAsync(2);
        await bia.SendAsync("before the outage");
        await Expect(ana.Message("before the outage")).ToHaveCountAsync(1);

        // The network goes for the whole outage: the connection resets and every attempt to open one fails.
        var down = Stopwatch.StartNew();
        await ana.CutNetworkAsync(proxy);
        string[] missed = ["missed one", "missed two"];
        foreach (var text in missed)
        {
            await bia.SendAsync(text);
        }

        // The outage itself is what the test sets up, not a wait for something to happen.
        await Task.Delay(Outage - down.Elapsed);
        await Expect(ana.Status).ToHaveAttributeAsync("data-state", "reconnecting");
        await ana.RestoreNetworkAsync();

        await Expect(ana.Status).ToHaveTextAsync("Connected · 2 missed messages recovered",
            new() { Timeout = (float)BackWithin.TotalMilliseconds });
        Assert.Equal(["before the outage", .. missed], await ana.MessageTextsAsync());
        await Expect(bia.Notices.Filter(new() { HasText = $"{anaName} left." })).ToHaveCountAsync(0);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(1);
        await ana.SendAsync("back after the outage");
        await Expect(bia.Message("back after the outage")).ToHaveCountAsync(1);
        await bia.AssertCleanAsync();
        await ana.AssertCleanAsync();
    }
}
