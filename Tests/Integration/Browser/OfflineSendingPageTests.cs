using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// Sending while offline: what is written while the connection is down waits in the page, marked as not sent, and
/// goes out once, in order, when the connection is back; a reload keeps it; a refusal says why and can be discarded.
/// The connection is cut with a resetting proxy and by refusing negotiation (the browser's offline mode would leave
/// an open WebSocket alone).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OfflineSendingPageTests(BrowserFixture browser)
{

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    private static ILocator Pending(ChatPage page) => page.Page.Locator("#outbox > li.pending");

    [Fact]
    public async Task Two_messages_written_offline_are_shown_pending_then_delivered_once_each_in_order()
    {
        var room = Unique("offline");
        await using var proxy = new TcpProxy(browser.Front.BaseAddress);
        await using var ana = await browser.OpenAsync(via: proxy.Address);
        ana.ExpectConnectionErrors = true;
        await ana.JoinAsync(Unique("ana"));
        await ana.JoinRoomAsync(room);
        await using var bia = await browser.OpenInRoomAsync(Unique("bia"), room);
        await Expect(ana.Members).ToHaveCountAsync(2);
        await ana.SendAsync("while online");

        await ana.CutNetworkAsync(proxy);
        string[] offline = ["written offline, first", "written offline, second"];
        foreach (var text in offline)
        {
            await ana.Composer.FillAsync(text);
            await ana.Composer.PressAsync("Enter");
        }

        await Expect(Pending(ana)).ToHaveCountAsync(2);
        Assert.Equal(offline, await Pending(ana).Locator(".text").AllTextContentsAsync());
        await Expect(Pending(ana).First).ToContainTextAsync("Not sent yet");
        await Expect(ana.Page.Locator("#outbox")).ToHaveAttributeAsync("aria-label", "Not sent yet");
        await ana.ScreenshotAsync("20-pending-offline");

        await ana.RestoreNetworkAsync();

        await Expect(Pending(ana)).ToHaveCountAsync(0);
        Assert.Equal(["while online", .. offline], await ana.MessageTextsAsync());
        await ana.SendAsync("after the outage");
        await Expect(bia.Message("after the outage")).ToHaveCountAsync(1);
        Assert.Equal(["while online", .. offline, "after the outage"], await bia.MessageTextsAsync());
        await bia.AssertCleanAsync();
        await ana.AssertCleanAsync();
    }

    [Fact]
    public async Task A_message_pending_over_a_reload_is_kept_and_sent_once_when_the_connection_is_back()
    {
        // Its own front with a short grace: by the time the connection is back the dropped session has expired, and
        // the reloaded tab registers its nickname again by itself.
        await using var front = new ChatFrontFactory().With("OrleansChat:Rooms:ReconnectGrace", "00:00:02");
        await using var proxy = new TcpProxy(front.BaseAddress);
        await using var ana = await browser.OpenAsync(via: proxy.Address);
        ana.ExpectConnectionErrors = true;
        var anaName = Unique("ana");
        await ana.JoinAsync(anaName);
        await using var bia = await browser.OpenAsync(via: front.BaseAddress);
        await bia.JoinAsync(Unique("bia"));
        await Expect(ana.Members).ToHaveCountAsync(2);

        await ana.CutNetworkAsync(proxy);
        await ana.Composer.FillAsync("written before the reload");
        await ana.Composer.PressAsync("Enter");
        await Expect(Pending(ana)).ToHaveCountAsync(1);
        await ana.Page.ReloadAsync();

        var kept = await ana.Page.EvaluateAsync<string>(
            "() => Object.keys(sessionStorage).filter((k) => k.startsWith('chat.outbox:')).map((k) => sessionStorage.getItem(k)).join()");
        Assert.Contains("written before the reload", kept);
        await ana.RestoreNetworkAsync();
        await Expect(ana.Page.Locator("#who")).ToHaveTextAsync(anaName, new() { Timeout = 40_000 });
        await Expect(ana.Status).ToHaveAttributeAsync("data-state", "connected");

        await Expect(ana.Message("written before the reload")).ToHaveCountAsync(1);
        await Expect(Pending(ana)).ToHaveCountAsync(0);
        await ana.SendAsync("after the reload");
        await Expect(bia.Message("after the reload")).ToHaveCountAsync(1);
        await Expect(bia.Message("written before the reload")).ToHaveCountAsync(1);
        Assert.Empty(await ana.Page.EvaluateAsync<string[]>(
            "() => Object.keys(sessionStorage).filter((k) => k.startsWith('chat.outbox:'))"));
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task A_refused_message_says_why_in_the_pages_language_and_can_be_discarded()
    {
        var room = Unique("refused");
        await using var ana = await browser.OpenAsync(options: new() { Locale = "pt-BR" });
        await ana.JoinAsync(Unique("ana"));
        await ana.JoinRoomAsync(room);

        // A control character: the page leaves validation to the server, which refuses the message.
        await ana.Composer.FillAsync("bell \u0007 here");
        await ana.Composer.PressAsync("Enter");

        var refused = ana.Page.Locator("#outbox > li.failed");
        await Expect(refused).ToContainTextAsync("Não enviada: Mensagem inválida");
        await Expect(refused.GetByRole(AriaRole.Button, new() { Name = "Enviar de novo" })).ToBeVisibleAsync();
        await Expect(ana.Page.Locator("#announcer")).ToContainTextAsync("Mensagem inválida");
        await ana.ScreenshotAsync("21-refused-message");
        await refused.GetByRole(AriaRole.Button, new() { Name = "Descartar" }).ClickAsync();

        await Expect(Pending(ana)).ToHaveCountAsync(0);
        await Expect(ana.Composer).ToBeFocusedAsync();
        await ana.SendAsync("a valid one");
        await Expect(ana.Messages).ToHaveCountAsync(1);
        await ana.AssertCleanAsync();
    }
}
