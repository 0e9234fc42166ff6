using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// Edits, deletes and reactions on the page (issue 17): the author changes her message in place, the other page
/// shows each change as it happens, and a page that reloads or comes back from a network drop shows the same state,
/// each message once.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MessageChangePageTests(BrowserFixture browser)
{
    private const string Tombstone = "This message was deleted.";

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    [Fact]
    public async Task An_edit_a_delete_and_a_reaction_reach_the_other_page_and_a_reload_shows_them_once()
    {
        var room = Unique("muda");
        var biaName = Unique("bia");
        await using var ana = await browser.OpenInRoomAsync(Unique("ana"), room);
        await using var bia = await browser.OpenInRoomAsync(biaName, room);
        await ana.SendAsync("helo wrld");
        await ana.SendAsync("oops, wrong room");
        await ana.SendAsync("react to me");
        await Expect(bia.Message("react to me")).ToHaveCountAsync(1);
        // Only the author's own messages offer to edit and delete.
        await Expect(bia.Message("helo wrld").GetByRole(AriaRole.Button, new() { Name = "Edit" })).ToHaveCountAsync(0);

        // Escape leaves the text as it was; Enter saves.
        await ClickToolAsync(ana.Message("helo wrld"), "Edit");
        var field = ana.Page.GetByRole(AriaRole.Textbox, new() { Name = "Edit message" });
        await Expect(field).ToBeFocusedAsync();
        await Expect(field).ToHaveValueAsync("helo wrld");
        await field.FillAsync("never saved");
        await field.PressAsync("Escape");
        await Expect(field).ToHaveCountAsync(0);
        await Expect(Tool(ana.Message("helo wrld"), "Edit")).ToBeFocusedAsync();
        await ClickToolAsync(ana.Message("helo wrld"), "Edit");
        await field.FillAsync("hello world");
        await field.PressAsync("Enter");
        foreach (var page in new[] { ana, bia })
        {
            await Expect(page.Message("hello world").Locator(".edited")).ToHaveTextAsync("(edited)");
            await Expect(page.Message("helo wrld")).ToHaveCountAsync(0);
        }

        // Deleting asks first; the message stays in its place as a line with no text and nothing to do on it.
        var oops = ana.Message("oops, wrong room");
        await ClickToolAsync(oops, "Delete");
        var ask = oops.GetByRole(AriaRole.Group, new() { Name = "Delete this message?" });
        await Expect(ask.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await ask.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        foreach (var page in new[] { ana, bia })
        {
            await Expect(page.Message(Tombstone)).ToHaveCountAsync(1);
            await Expect(page.Message(Tombstone).Locator("button")).ToHaveCountAsync(0);
        }

        // bia reacts with the picker; ana sees the chip, its count and who, not pressed: it is not hers.
        await ClickToolAsync(bia.Message("react to me"), "Add reaction");
        await Picked(bia.Message("react to me"), "👍").ClickAsync();
        var anaChip = Chip(ana, "react to me");
        await Expect(anaChip).ToHaveTextAsync("👍 1");
        await Expect(anaChip).ToHaveAccessibleNameAsync($"👍 1 reaction: {biaName}");
        await Expect(anaChip).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(Chip(bia, "react to me")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Empty(await ana.AccessibilityViolationsAsync());
        await ana.ScreenshotAsync("17-edits-reactions");

        // A reload draws the same state from the server's history, each message once.
        string[] shown = ["hello world", Tombstone, "react to me"];
        await bia.Page.ReloadAsync();
        await Expect(Chip(bia, "react to me")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(bia.Message("hello world").Locator(".edited")).ToHaveCountAsync(1);
        Assert.Equal(shown, await bia.MessageTextsAsync());

        // Clicking her chip takes bia's reaction off, on both pages.
        await Chip(bia, "react to me").ClickAsync();
        await Expect(Chip(bia, "react to me")).ToHaveCountAsync(0);
        await Expect(anaChip).ToHaveCountAsync(0);
        await ana.Page.ReloadAsync();
        await Expect(ana.Message("hello world").Locator(".edited")).ToHaveCountAsync(1);
        Assert.Equal(shown, await ana.MessageTextsAsync());
        await Expect(Chip(ana, "react to me")).ToHaveCountAsync(0);
        Assert.Empty(await bia.AccessibilityViolationsAsync());
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task A_page_back_from_a_network_drop_shows_the_changes_made_meanwhile_once_and_counts_none_unread()
    {
        var room = Unique("volta");
        var anaName = Unique("ana");
        await using var proxy = new TcpProxy(browser.Front.BaseAddress);
        await using var bia = await browser.OpenAsync(via: proxy.Address);
        bia.ExpectConnectionErrors = true;
        await bia.JoinAsync(Unique("bia"));
        await bia.JoinRoomAsync(room);
        await using var ana = await browser.OpenInRoomAsync(anaName, room);
        await ana.SendAsync("draft");
        await ana.SendAsync("to go");
        await ana.SendAsync("to like");
        await Expect(bia.Message("to like")).ToHaveCountAsync(1);
        // bia reads the room elsewhere, so that what arrives next would show as unread there.
        await bia.Page.Locator("#room-list button[data-room='geral']").ClickAsync();
        await Expect(bia.RoomTitle).ToHaveTextAsync("#geral");

        await bia.CutNetworkAsync(proxy);
        await ClickToolAsync(ana.Message("draft"), "Edit");
        await ana.Page.GetByRole(AriaRole.Textbox, new() { Name = "Edit message" }).FillAsync("final");
        await ana.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(ana.Message("final")).ToHaveCountAsync(1);
        await ClickToolAsync(ana.Message("to go"), "Delete");
        await ana.Message("to go").GetByRole(AriaRole.Group).GetByRole(AriaRole.Button, new() { Name = "Delete" })
            .ClickAsync();
        await ClickToolAsync(ana.Message("to like"), "Add reaction");
        await Picked(ana.Message("to like"), "🎉").ClickAsync();
        await Expect(Chip(ana, "to like")).ToHaveTextAsync("🎉 1");
        await bia.RestoreNetworkAsync();

        await Expect(bia.Status).ToHaveAttributeAsync("data-state", "connected");
        var button = bia.Page.Locator($"#room-list button[data-room='{room}']");
        await Expect(button.Locator(".badge")).ToHaveCountAsync(0);
        await button.ClickAsync();
        await Expect(bia.Message("final").Locator(".edited")).ToHaveCountAsync(1);
        await Expect(Chip(bia, "to like")).ToHaveAccessibleNameAsync($"🎉 1 reaction: {anaName}");
        Assert.Equal(["final", Tombstone, "to like"], await bia.MessageTextsAsync());
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    [Fact]
    public async Task Reactions_are_picked_with_the_keyboard_and_a_refused_one_is_said_on_the_message()
    {
        var room = Unique("reage");
        await using var ana = await browser.OpenInRoomAsync(Unique("ana"), room);
        await using var bia = await browser.OpenInRoomAsync(Unique("bia"), room);
        await ana.SendAsync("pick four");
        var message = bia.Message("pick four");
        var picker = Tool(message, "Add reaction");

        // Enter opens the picker on its first emoji, Tab moves along, Enter reacts; the focus goes back to the picker.
        for (var i = 0; i < 4; i++)
        {
            await picker.FocusAsync();
            await bia.Page.Keyboard.PressAsync("Enter");
            await Expect(message.Locator(".picker button").First).ToBeFocusedAsync();
            for (var tab = 0; tab < i; tab++)
            {
                await bia.Page.Keyboard.PressAsync("Tab");
            }

            await bia.Page.Keyboard.PressAsync("Enter");
            if (i < 3)
            {
                await Expect(picker).ToBeFocusedAsync();
                await Expect(message.Locator(".reactions button")).ToHaveCountAsync(i + 1);
            }
        }

        // The fourth of hers is one too many: the server's reason shows on the message, the picker stays open.
        await Expect(message.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            "Too many reactions: at most 3 of yours on a message, and 100 on one message in all.");
        await Expect(picker).ToHaveAttributeAsync("aria-expanded", "true");
        Assert.Empty(await bia.AccessibilityViolationsAsync());
        await bia.ScreenshotAsync("17-reaction-picker");
        await bia.Page.Keyboard.PressAsync("Escape");
        await Expect(picker).ToBeFocusedAsync();
        await Expect(picker).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(Chip(ana, "pick four")).ToHaveTextAsync(["👍 1", "❤️ 1", "😂 1"]);
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    private static ILocator Tool(ILocator message, string name) =>
        message.Locator(".tools").GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    /// <summary>Clicks a tool of a message as a person does: the pointer comes over the message, its tools show.</summary>
    private static async Task ClickToolAsync(ILocator message, string name)
    {
        await message.HoverAsync();
        await Tool(message, name).ClickAsync();
    }

    /// <summary>An emoji in a message's open picker.</summary>
    private static ILocator Picked(ILocator message, string emoji) =>
        message.Locator(".picker").GetByRole(AriaRole.Button, new() { Name = emoji, Exact = true });

    private static ILocator Chip(ChatPage page, string text) => page.Message(text).Locator(".reactions button");
}
