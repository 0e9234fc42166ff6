using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// The chat page in a real Chromium against the real front: people chatting, presence, hostile text, a dropped
/// network, history, languages, a phone and the keyboard. Every test ends by checking that its pages saw no
/// Content-Security-Policy violation, no script error and no dialog.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatPageTests(BrowserFixture browser)
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    [Fact]
    public async Task Two_users_chat_see_each_other_come_and_go_and_count_unread()
    {
        var room = Unique("sala");
        var (anaName, biaName) = (Unique("ana"), Unique("bia"));
        await using var ana = await browser.OpenAsync();
        await ana.ScreenshotAsync("01-nickname-prompt");
        await ana.JoinAsync(anaName);
        await ana.JoinRoomAsync(room);
        await using var bia = await browser.OpenAsync();
        await bia.JoinAsync(biaName);
        await bia.JoinRoomAsync(room);

        await Expect(ana.Notices.Filter(new() { HasText = $"{biaName} joined." })).ToHaveCountAsync(1);
        await Expect(ana.Members).ToHaveCountAsync(2);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(1);

        await ana.SendAsync("Oi bia! Tudo bem?");
        await ana.SendAsync("Did you see the new page?");
        await bia.SendAsync("Tudo ótimo.\nAnd yes, it is lovely.");

        var first = bia.Message("Oi bia! Tudo bem?");
        var second = bia.Message("Did you see the new page?");
        await Expect(first.Locator(".nickname")).ToBeVisibleAsync();
        await Expect(first.Locator(".nickname")).ToHaveTextAsync(anaName);
        await Expect(first.Locator("time")).ToHaveTextAsync(new Regex(@"\d{1,2}:\d{2}"));
        await Expect(first.Locator("time")).ToHaveAttributeAsync("datetime", new Regex(@"^\d{4}-\d{2}-\d{2}T"));
        await Expect(second).ToHaveClassAsync(new Regex(@"\bcont\b")); // grouped under the first: no second header
        await Expect(second.Locator(".avatar")).Not.ToBeVisibleAsync();
        Assert.True((await second.Locator(".nickname").BoundingBoxAsync())!.Width <= 1, "the name shows again in a group");
        await Expect(second.Locator("time")).ToBeVisibleAsync();
        await Expect(ana.Message("Tudo ótimo.\nAnd yes, it is lovely.")).ToHaveCountAsync(1);
        await Expect(ana.Message("Tudo ótimo.\nAnd yes, it is lovely.")).Not.ToHaveClassAsync(new Regex(@"\bcont\b"));

        // Typing shows up on the other side.
        await bia.Composer.PressSequentiallyAsync("typing");
        await Expect(ana.Page.Locator("#typing")).ToHaveTextAsync($"{biaName} is typing…");
        await ana.ScreenshotAsync("02-two-users-chatting");
        await bia.Composer.FillAsync("");

        // A room not in view counts what arrives, and stops once opened.
        await ana.Page.Locator("#room-list button[data-room='geral']").ClickAsync();
        await Expect(ana.RoomTitle).ToHaveTextAsync("#geral");
        await bia.SendAsync("while you are away");
        var badge = ana.Page.Locator($"#room-list button[data-room='{room}'] .badge");
        await Expect(badge).ToHaveTextAsync("1");
        await Expect(ana.Page).ToHaveTitleAsync("(1) OrleansChat");
        await ana.Page.Locator($"#room-list button[data-room='{room}']").ClickAsync();
        await Expect(ana.Message("while you are away")).ToBeVisibleAsync();
        await Expect(badge).ToHaveCountAsync(0);

        // Leaving is seen by those who stay, and so is closing the tab.
        await bia.LeaveRoomAsync(room);
        await Expect(ana.Notices.Filter(new() { HasText = $"{biaName} left." })).ToHaveCountAsync(1);
        await Expect(ana.Members).ToHaveCountAsync(1);
        await bia.JoinRoomAsync(room);
        await Expect(ana.Members).ToHaveCountAsync(2);
        await bia.AssertCleanAsync();
        await bia.DisposeAsync();
        await Expect(ana.Notices.Filter(new() { HasText = $"{biaName} left." })).ToHaveCountAsync(2);
        await Expect(ana.Members).ToHaveCountAsync(1);

        // The hub was reached over a WebSocket, which the CSP's connect-src 'self' allows (no violation recorded).
        Assert.Contains(ana.WebSockets, url => url.StartsWith("ws://", StringComparison.Ordinal) && url.Contains("/hubs/chat"));
        await ana.AssertCleanAsync();
    }

    [Fact]
    public async Task Hostile_text_is_shown_as_text_and_only_http_links_become_links()
    {
        var room = Unique("xss");
        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(Unique("ana"));
        await ana.JoinRoomAsync(room);
        await using var bia = await browser.OpenAsync();
        await bia.JoinAsync(Unique("bia"));
        await bia.JoinRoomAsync(room);
        string[] payloads =
        [
            "<img src=x onerror=alert(1)>",
            "<script>alert(2)</script>",
            "<a href=\"javascript:alert(3)\">click me</a>",
            "javascript:alert(4)",
            "<svg onload=alert(5)></svg><style>body{display:none}</style>",
            "&lt;b&gt;not bold&lt;/b&gt; &amp; \\u003cb\\u003e",
            "docs at https://example.com/a_(b)?q=1&r=<2>. data:text/html,<script>alert(6)</script>",
        ];

        foreach (var payload in payloads)
        {
            await ana.SendAsync(payload);
        }

        var log = bia.Page.Locator("#messages");
        foreach (var payload in payloads)
        {
            await Expect(bia.Message(payload)).ToHaveCountAsync(1);
        }

        foreach (var tag in new[] { "img", "script", "svg", "style", "b", "iframe", "object" })
        {
            await Expect(log.Locator(tag)).ToHaveCountAsync(0);
        }

        var links = log.Locator("a");
        await Expect(links).ToHaveCountAsync(1);
        await Expect(links).ToHaveAttributeAsync("href", "https://example.com/a_(b)?q=1&r=");
        await Expect(links).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");
        await Expect(links).ToHaveAttributeAsync("target", "_blank");
        await Expect(bia.Page.Locator("body")).ToBeVisibleAsync();
        await bia.ScreenshotAsync("03-hostile-text-as-text");
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task A_dropped_network_recovers_the_missed_messages_once_and_nobody_sees_a_leave()
    {
        var room = Unique("rede");
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
        await bia.SendAsync("before the drop");
        await Expect(ana.Message("before the drop")).ToHaveCountAsync(1);

        await ana.CutNetworkAsync(proxy);
        await Expect(ana.Banner).ToContainTextAsync("Reconnecting");
        await Expect(ana.Page.Locator("#send-button")).ToBeEnabledAsync(); // what is written goes to the outbox
        await ana.ScreenshotAsync("04-reconnecting");

        string[] missed = ["missed one", "missed two", "missed three"];
        foreach (var text in missed)
        {
            await bia.SendAsync(text);
        }

        await Expect(ana.Message("missed one")).ToHaveCountAsync(0);
        await ana.RestoreNetworkAsync();

        // The page retries after 0, 1, 2 s, then every 3 s or so: the next attempt may be nearly 4 s away.
        await Expect(ana.Status).ToHaveTextAsync("Connected · 3 missed messages recovered", new() { Timeout = 30_000 });
        await Expect(ana.Banner).ToContainTextAsync("3 missed messages recovered");
        await ana.ScreenshotAsync("05-recovered");
        Assert.Equal(["before the drop", .. missed], await ana.MessageTextsAsync());

        // Live again, nothing doubled; the other side never saw the drop as a leave.
        await bia.SendAsync("after the drop");
        await Expect(ana.Message("after the drop")).ToHaveCountAsync(1);
        Assert.Equal(["before the drop", .. missed, "after the drop"], await ana.MessageTextsAsync());
        await Expect(bia.Notices.Filter(new() { HasText = $"{anaName} left." })).ToHaveCountAsync(0);
        await Expect(bia.Members.Filter(new() { HasText = anaName })).ToHaveCountAsync(1);
        await ana.SendAsync("I am back");
        await Expect(bia.Message("I am back")).ToHaveCountAsync(1);
        await bia.AssertCleanAsync();
        await ana.AssertCleanAsync();
    }

    [Fact]
    public async Task Scrolling_back_loads_older_history_until_the_beginning()
    {
        const int total = 120; // more than two pages: the join returns the latest 50, each scroll-back 50 more
        var room = Unique("historia");
        await using (var feeder = await browser.Front.ConnectAsync())
        {
            await feeder.RegisterAsync(Unique("feeder"));
            await feeder.JoinRoomAsync(room);
            for (var i = 1; i <= total; i++)
            {
                await feeder.SendToRoomAsync(room, $"history {i}");
            }
        }

        await using var ana = await browser.OpenAsync();
        await ana.JoinAsync(Unique("ana"));
        await ana.JoinRoomAsync(room);
        await Expect(ana.Message($"history {total}")).ToBeVisibleAsync();
        await Expect(ana.Messages).ToHaveCountAsync(50);
        await Expect(ana.Page.Locator("#load-older")).ToBeVisibleAsync();

        // Keyboard scrolling: the message list is focusable, Home goes to its top, and reaching the top loads more.
        var log = ana.Page.Locator("#log");
        await log.FocusAsync();
        await log.PressAsync("Home");
        await Expect(ana.Messages).ToHaveCountAsync(100);
        await log.PressAsync("Home");
        await Expect(ana.Messages).ToHaveCountAsync(total);
        await Expect(ana.Page.Locator("#beginning")).ToHaveTextAsync($"This is the beginning of #{room}.");
        await Expect(ana.Page.Locator("#load-older")).ToBeHiddenAsync();

        var texts = await ana.MessageTextsAsync();
        Assert.Equal(Enumerable.Range(1, total).Select(i => $"history {i}"), texts);
        await ana.AssertCleanAsync();
    }

    [Fact]
    public async Task The_language_follows_the_browser_and_can_be_switched_and_remembered()
    {
        var nickname = Unique("lia");
        await using var lia = await browser.OpenAsync(options: new() { Locale = "pt-BR" });
        var page = lia.Page;
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "pt-BR");
        await Expect(page.Locator("#join-title")).ToHaveTextAsync("Entre no chat");
        await Expect(lia.Status).ToHaveTextAsync("Conectado");
        await lia.JoinAsync(nickname);
        await Expect(lia.Notices.Filter(new() { HasText = $"{nickname} entrou." })).ToHaveCountAsync(1);
        await Expect(page.Locator("#send-button")).ToHaveTextAsync("Enviar");
        await Expect(lia.Composer).ToHaveAttributeAsync("placeholder", "Mensagem para #geral");
        await lia.ScreenshotAsync("06-portuguese");

        await page.GetByLabel("Idioma").SelectOptionAsync("en");

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#send-button")).ToHaveTextAsync("Send");
        await Expect(lia.Status).ToHaveTextAsync("Connected");
        await Expect(lia.Notices.Filter(new() { HasText = $"{nickname} joined." })).ToHaveCountAsync(1);
        await Expect(lia.Notices.Filter(new() { HasText = "entrou" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Language")).ToHaveValueAsync("en");

        // The choice outlives the page, and beats the browser's language. Signed out first: a reload of a signed-in
        // tab comes back signed in (PageReloadTests).
        await page.Locator("#sign-out").ClickAsync();
        await lia.GoAsync(new Uri(page.Url));
        await Expect(page.Locator("#join-title")).ToHaveTextAsync("Join the chat");
        await Expect(page.GetByLabel("Nickname")).ToHaveValueAsync(nickname);
        await lia.AssertCleanAsync();
    }

    [Fact]
    public async Task A_phone_sized_screen_is_usable()
    {
        var room = Unique("celular");
        await using var bia = await browser.OpenAsync(options: new()
        {
            ViewportSize = new() { Width = 360, Height = 740 }, IsMobile = true, HasTouch = true, Locale = "pt-BR",
        });
        var page = bia.Page;
        await bia.JoinAsync(Unique("bia"));
        await bia.SendAsync("Olá do celular! https://example.com");
        await Expect(bia.Composer).ToBeInViewportAsync();
        await Expect(page.Locator("#send-button")).ToBeInViewportAsync();
        await Expect(page.Locator("#sidebar")).ToBeHiddenAsync(); // panels, not columns
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "the page scrolls sideways on a phone");
        await bia.ScreenshotAsync("07-phone");

        await page.GetByRole(AriaRole.Button, new() { Name = "Salas" }).TapAsync();
        await Expect(page.Locator("#sidebar")).ToBeVisibleAsync();
        await Expect(page.Locator("#show-rooms")).ToHaveAttributeAsync("aria-expanded", "true");
        await bia.ScreenshotAsync("08-phone-rooms");
        await page.Locator("#room-name").FillAsync(room);
        await page.Locator("#room-name").PressAsync("Enter");
        await Expect(bia.RoomTitle).ToHaveTextAsync($"#{room}");
        await Expect(page.Locator("#sidebar")).ToBeHiddenAsync();
        await bia.SendAsync("nova sala");

        await page.GetByRole(AriaRole.Button, new() { Name = "Membros" }).TapAsync();
        await Expect(page.Locator("#members-panel")).ToBeVisibleAsync();
        await Expect(bia.Members).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#members-panel")).ToBeHiddenAsync();
        await Expect(page.Locator("#show-members")).ToBeFocusedAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task The_keyboard_alone_is_enough()
    {
        await using var ana = await browser.OpenAsync();
        var page = ana.Page;

        // The nickname field has focus from the start; Enter joins and moves focus to the message box.
        await Expect(page.GetByLabel("Nickname")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(Unique("ana"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(ana.Composer).ToBeFocusedAsync();

        // Shift+Enter is a new line, Enter sends.
        await page.Keyboard.TypeAsync("first line");
        await page.Keyboard.PressAsync("Shift+Enter");
        await page.Keyboard.TypeAsync("second line");
        await Expect(ana.Composer).ToHaveValueAsync("first line\nsecond line");
        await page.Keyboard.PressAsync("Enter");
        await Expect(ana.Message("first line\nsecond line")).ToHaveCountAsync(1);
        await Expect(ana.Composer).ToHaveValueAsync("");
        await Expect(ana.Composer).ToBeFocusedAsync();

        // Tab reaches the Send button next, with a visible focus ring.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#send-button")).ToBeFocusedAsync();
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));

        // The first stop in the tab order is a skip link, shown when focused, that leads to the message box.
        Assert.True(await page.EvaluateAsync<bool>(
            "() => document.querySelector('a[href], button, input, select, textarea, [tabindex]').matches('.skip-link')"));
        await page.Locator(".skip-link").FocusAsync();
        await Expect(page.Locator(".skip-link")).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(ana.Composer).ToBeFocusedAsync();
        await ana.AssertCleanAsync();
    }

    [Theory]
    [InlineData(ColorScheme.Light, 1280, "en-US")]
    [InlineData(ColorScheme.Dark, 1280, "pt-BR")]
    [InlineData(ColorScheme.Dark, 360, "en-US")]
    public async Task Light_and_dark_follow_the_system_and_pass_the_accessibility_rules(ColorScheme scheme, int width, string locale)
    {
        var room = Unique("a11y");
        await using var ana = await browser.OpenAsync(options: new()
        {
            ColorScheme = scheme, Locale = locale, ViewportSize = new() { Width = width, Height = 800 },
        });
        Assert.Empty(await ana.AccessibilityViolationsAsync()); // the nickname prompt
        var anaName = Unique("ana");
        await ana.JoinAsync(anaName);
        await ana.JoinRoomAsync(room);
        await using var bia = await browser.OpenAsync();
        await bia.JoinAsync(Unique("bia"));
        await bia.JoinRoomAsync(room);
        await bia.SendAsync("Boa noite! See https://example.com/noite");
        await bia.SendAsync("Good evening!");
        await ana.SendAsync("Olá!");
        await bia.Composer.PressSequentiallyAsync("typing…");
        await Expect(ana.Page.Locator("#typing")).Not.ToBeEmptyAsync();

        var background = await ana.Page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).backgroundColor");
        Assert.Equal(scheme == ColorScheme.Dark ? "rgb(11, 17, 32)" : "rgb(241, 245, 249)", background);
        Assert.Empty(await ana.AccessibilityViolationsAsync());
        if (width < 600)
        {
            await ana.Page.Locator("#show-rooms").ClickAsync();
            Assert.Empty(await ana.AccessibilityViolationsAsync());
        }

        await ana.ScreenshotAsync($"09-{scheme.ToString().ToLowerInvariant()}-{width}");
        await ana.AssertCleanAsync();
    }
}
