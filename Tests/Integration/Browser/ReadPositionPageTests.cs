using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// Unread counts on the page come from the user's read position on the server, which every device of the user
/// shares: what was read elsewhere is not unread here, and what is read here is read elsewhere.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ReadPositionPageTests(BrowserFixture browser)
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..5]}";

    [Fact]
    public async Task The_unread_badge_and_line_follow_what_was_read_on_another_device()
    {
        var room = Unique("lidas");
        await using var ana = await browser.OpenInRoomAsync(Unique("ana"), room);
        await ana.Page.Locator("#room-list button[data-room='geral']").ClickAsync();
        await using var bia = await browser.OpenInRoomAsync(Unique("bia"), room);
        foreach (var text in new[] { "one", "two", "three" })
        {
            await bia.SendAsync(text);
        }

        var badge = ana.Page.Locator($"#room-list button[data-room='{room}'] .badge");
        await Expect(badge).ToHaveTextAsync("3");

        // Ana's phone joins the session (the same resume token) and reads up to "two"; the page stays in the session
        // and hears it as it happens.
        await using var phone = await browser.Front.ConnectAsync();
        var resumed = await phone.Connection.InvokeAsync<JsonElement>("Resume", ResumeToken(ana), null);
        var messages = resumed.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == room)
            .GetProperty("messages").EnumerateArray().ToList();
        var two = messages.Single(m => m.GetProperty("msg").GetString() == "two").GetProperty("seq").GetInt64();
        await phone.Connection.InvokeAsync("MarkRead", room, two);

        await Expect(badge).ToHaveTextAsync("1");
        await Expect(ana.Page).ToHaveTitleAsync("(1) OrleansChat");
        await Expect(ana.Status).ToHaveAttributeAsync("data-state", "connected");

        // Opening the room shows where the unread part starts, and reads it.
        await ana.Page.Locator($"#room-list button[data-room='{room}']").ClickAsync();
        await Expect(ana.Page.Locator("#unread-line + li.message .text")).ToHaveTextAsync("three");
        await Expect(badge).ToHaveCountAsync(0);

        // The page told the server, and the phone hears it as it happens too.
        var three = two + 1;
        await phone.Events.FirstAsync(
            e => e.Event == "read_position" && e.Room == room
                 && e.Broadcast!.Value.GetProperty("seq").GetInt64() == three,
            BrowserFixture.Patience);
        Assert.False(phone.Closed.Task.IsCompleted);
        await ana.AssertCleanAsync();
        await bia.AssertCleanAsync();
    }

    /// <summary>The resume token the page was given when it registered, as it came over its WebSocket.</summary>
    private static string ResumeToken(ChatPage page) =>
        page.ReceivedFrames.Select(f => TokenPattern().Match(f)).First(m => m.Success).Groups[1].Value;

    [GeneratedRegex("\"resumeToken\":\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
