using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// Mentions on the page (issue 17): the server says which members a message mentions; the page highlights them,
/// counts the unread ones that mention the reader apart, and, if the reader opted in, notifies while the tab is hidden.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class MentionPageTests(BrowserFixture browser)
{
    // Runs before the page's scripts: a Notification that records what the page raises, and a visibility the test
    // flips through window.__hidden (a headless tab is always visible otherwise).
    private const string RecordNotifications = """
        window.__notifications = [];
        window.__hidden = false;
        Object.defineProperty(Document.prototype, "visibilityState",
          { configurable: true, get: () => (window.__hidden ? "hidden" : "visible") });
        Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => window.__hidden });
        window.Notification = class {
          static permission = "granted";
          static requestPermission = async () => "granted";
          constructor(title, options) {
            this.title = title;
            this.body = options?.body ?? "";
            window.__notifications.push(this);
          }
          close() {}
        };
        """;

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    [Fact]
    public async Task A_mention_of_the_reader_is_highlighted_and_a_name_not_in_the_room_is_not()
    {
        var room = Unique("mencao");
        var (anaName, biaName) = (Unique("ana"), Unique("bia"));
        await using var ana = await browser.OpenInRoomAsync(anaName, room);
        await using var bia = await browser.OpenInRoomAsync(biaName, room);

        var toAna = $"@{anaName} olha";
        var shouted = $"(@{anaName.ToUpperInvariant()}), viu?";
        await bia.SendAsync(toAna);
        await bia.SendAsync("oi @carla");
        await bia.SendAsync(shouted);

        await Expect(ana.Message(toAna)).ToHaveClassAsync(MentionsMe());
        await Expect(ana.Message(toAna).Locator(".mention.me")).ToHaveTextAsync($"@{anaName}");
        await Expect(ana.Message(toAna).GetByText("mentions you")).ToHaveCountAsync(1);
        // Matched as the server matches nicknames, without case, and without the punctuation around it.
        await Expect(ana.Message(shouted).Locator(".mention.me")).ToHaveTextAsync($"@{anaName.ToUpperInvariant()}");
        // carla is in no room here: the server does not list her, and the page highlights nothing.
        await Expect(ana.Message("oi @carla")).ToHaveCountAsync(1);
        await Expect(ana.Message("oi @carla").Locator(".mention")).ToHaveCountAsync(0);
        await Expect(ana.Message("oi @carla")).Not.ToHaveClassAsync(MentionsMe());

        // The writer sees the mention too, but it is not hers.
        await Expect(bia.Message(toAna).Locator(".mention")).ToHaveTextAsync($"@{anaName}");
        await Expect(bia.Message(toAna).Locator(".mention.me")).ToHaveCountAsync(0);
        await Expect(bia.Message(toAna)).Not.ToHaveClassAsync(MentionsMe());
        Assert.Empty(await ana.AccessibilityViolationsAsync());
        await ana.ScreenshotAsync("17-mentions");

        // History keeps the mentions: a reloaded page draws them again.
        await ana.Page.ReloadAsync();
        await Expect(ana.Message(toAna).Locator(".mention.me")).ToHaveTextAsync($"@{anaName}");
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task Unread_mentions_are_counted_apart_and_reading_the_room_clears_both_counts()
    {
        var room = Unique("contagem");
        var anaName = Unique("ana");
        await using var ana = await browser.OpenInRoomAsync(anaName, room);
        await ana.Page.Locator("#room-list button[data-room='geral']").ClickAsync();
        await Expect(ana.RoomTitle).ToHaveTextAsync("#geral");
        await using var bia = await browser.OpenInRoomAsync(Unique("bia"), room);

        await bia.SendAsync("bom dia");
        await bia.SendAsync($"@{anaName} chegou?");

        var button = ana.Page.Locator($"#room-list button[data-room='{room}']");
        await Expect(button.Locator(".badge")).ToHaveTextAsync("2");
        await Expect(button.Locator(".mention-badge")).ToHaveTextAsync("@1");
        await Expect(button).ToHaveAccessibleNameAsync(new Regex("2 unread messages.*1 mention of you"));
        await Expect(ana.Page).ToHaveTitleAsync("(2 · @1) OrleansChat");
        await ana.ScreenshotAsync("17-mention-badges");

        await button.ClickAsync();
        await Expect(ana.RoomTitle).ToHaveTextAsync($"#{room}");
        await Expect(button.Locator(".badge")).ToHaveCountAsync(0);
        await Expect(button.Locator(".mention-badge")).ToHaveCountAsync(0);
        await Expect(ana.Page).ToHaveTitleAsync("OrleansChat");
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task A_hidden_tab_that_opted_in_is_notified_of_a_live_mention_by_someone_else_only()
    {
        var room = Unique("aviso");
        var (anaName, biaName) = (Unique("ana"), Unique("bia"));
        await using var ana = await browser.OpenAsync();
        await ana.Page.Context.GrantPermissionsAsync(["notifications"]);
        await ana.Page.AddInitScriptAsync(RecordNotifications);
        await ana.GoAsync(browser.Front.BaseAddress);
        await ana.JoinAsync(anaName);
        await ana.JoinRoomAsync(room);
        await ana.Page.Locator("#room-list button[data-room='geral']").ClickAsync();
        await Expect(ana.RoomTitle).ToHaveTextAsync("#geral");

        var toggle = ana.Page.Locator("#notify-mentions");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal("on", await ana.Page.EvaluateAsync<string>("() => localStorage.getItem('chat.notifyMentions')"));

        await using var bia = await browser.OpenInRoomAsync(biaName, room);
        var badge = ana.Page.Locator($"#room-list button[data-room='{room}'] .badge");

        // Visible: the badges say it, no notification.
        await bia.SendAsync($"@{anaName} está aí?");
        await Expect(badge).ToHaveTextAsync("1");
        Assert.Empty(await NotificationsAsync(ana));

        await ana.Page.EvaluateAsync(
            "() => { window.__hidden = true; document.dispatchEvent(new Event('visibilitychange')); }");
        await bia.SendAsync($"@{anaName} acorda!");
        await ana.Page.WaitForFunctionAsync("() => window.__notifications.length > 0");
        var notification = Assert.Single(await NotificationsAsync(ana));
        Assert.Equal($"{biaName} mentioned you in #{room}\n@{anaName} acorda!", notification);

        // No mention, and her own mention of herself: nothing more, once the page has taken both in.
        await bia.SendAsync("nada pra você");
        await ana.SendAsync($"@{anaName} lembrete");
        await Expect(badge).ToHaveTextAsync("3");
        Assert.Single(await NotificationsAsync(ana));

        // Clicking the notification opens the room it came from.
        await ana.Page.EvaluateAsync("() => window.__notifications[0].onclick()");
        await Expect(ana.RoomTitle).ToHaveTextAsync($"#{room}");
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    /// <summary>Each notification the page raised, as its title and body on two lines.</summary>
    private static async Task<string[]> NotificationsAsync(ChatPage page) =>
        await page.Page.EvaluateAsync<string[]>("() => window.__notifications.map((n) => `${n.title}\\n${n.body}`)");

    [GeneratedRegex(@"\bmentions-me\b")]
    private static partial Regex MentionsMe();
}
