using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// A front where a room is big with a few dozen people: a join returns the first <see cref="MembersOnJoin"/>
/// members, and joins and leaves within a second reach a connection as one <c>presence_batch</c>.
/// </summary>
public sealed class BigRoomPageFront : IAsyncLifetime
{
    // Enough rows to overflow the member panel of the tests' short window, so only scrolling loads more.
    public const int MembersOnJoin = 20;

    public ChatFrontFactory Front { get; } = new ChatFrontFactory()
        .With("OrleansChat:Rooms:MembersOnJoin", MembersOnJoin.ToString())
        .With("OrleansChat:Front:PresenceWindow", "00:00:01");

    public Task InitializeAsync()
    {
        _ = Front.BaseAddress; // starts the server
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Front.DisposeAsync();
}

/// <summary>
/// The member panel of a room bigger than a join's first page: the total in the header, the rest loaded as the panel
/// is scrolled, kept right as people come and go, and a crowd's arrival told in one line.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BigRoomPageTests(BrowserFixture browser, BigRoomPageFront big) : IClassFixture<BigRoomPageFront>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..5];

    // Short enough that the first page overflows the member panel.
    private static BrowserNewContextOptions ShortWindow => new() { ViewportSize = new() { Width = 1280, Height = 600 } };

    [Fact]
    public async Task The_member_panel_shows_the_total_loads_the_rest_on_scroll_and_follows_comings_and_goings()
    {
        const int others = 29;
        var room = $"grande-{_tag}";
        var names = Enumerable.Range(1, others).Select(i => $"m{i:00}-{_tag}").ToList();
        var clients = await JoinAllAsync(room, names);
        try
        {
            await using var ana = await browser.OpenAsync(big.Front.BaseAddress, ShortWindow);
            var anaName = $"ana-{_tag}";
            await ana.JoinAsync(anaName);
            await ana.JoinRoomAsync(room);
            var page = ana.Page;

            await Expect(page.Locator("#members-title")).ToHaveTextAsync("Members (30)");
            await Expect(page.Locator("#member-count")).ToHaveTextAsync("(30)");
            await Expect(ana.Members).ToHaveCountAsync(BigRoomPageFront.MembersOnJoin);
            await Task.Delay(500); // time for a page load that must not happen: the panel's end is out of view
            await Expect(ana.Members).ToHaveCountAsync(BigRoomPageFront.MembersOnJoin);
            await ana.ScreenshotAsync("10-big-room-first-page");

            await page.Locator("#members-panel").HoverAsync();
            await page.Mouse.WheelAsync(0, 5000);
            await Expect(ana.Members).ToHaveCountAsync(others + 1);
            var shown = await MemberNamesAsync(ana);
            Assert.Equal(shown.Count, shown.Distinct().Count());
            Assert.Equal([anaName, .. names], shown.Order(StringComparer.Ordinal));
            await Expect(page.Locator("#more-members")).ToBeHiddenAsync();

            // Two leave, one from the first page and one from the scrolled-in rest; three join.
            await clients[0].Connection.InvokeAsync("LeaveRoom", room);
            await clients[others - 1].DisposeAsync();
            var newcomers = new[] { $"n1-{_tag}", $"n2-{_tag}", $"n3-{_tag}" };
            clients.AddRange(await JoinAllAsync(room, newcomers));

            await Expect(page.Locator("#members-title")).ToHaveTextAsync("Members (31)");
            await Expect(ana.Members).ToHaveCountAsync(31);
            shown = await MemberNamesAsync(ana);
            Assert.Equal(shown.Count, shown.Distinct().Count());
            Assert.DoesNotContain(names[0], shown);
            Assert.DoesNotContain(names[others - 1], shown);
            Assert.All(newcomers, n => Assert.Contains(n, shown));
            await ana.AssertCleanAsync();
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    [Fact]
    public async Task A_crowd_arriving_together_is_one_summary_line_and_one_announcement()
    {
        var room = $"multidao-{_tag}";
        var crowd = Enumerable.Range(1, 6).Select(i => $"c{i}-{_tag}").ToList();
        var clients = await RegisterAllAsync([$"first-{_tag}", .. crowd, $"late-{_tag}"]);
        try
        {
            await using var ana = await browser.OpenAsync(big.Front.BaseAddress);
            await ana.JoinAsync($"ana-{_tag}");
            await ana.JoinRoomAsync(room);
            await Task.Delay(1200); // a quiet presence window: the next change goes out alone and opens a new one

            // The first join goes out at once; the six within its window come after it as one batch.
            await clients[0].JoinRoomAsync(room);
            await Task.WhenAll(clients.Skip(1).Take(crowd.Count).Select(c => c.JoinRoomAsync(room)));

            await Expect(ana.Notices.Filter(new() { HasText = $"first-{_tag} joined." })).ToHaveCountAsync(1);
            await Expect(ana.Notices.Filter(new() { HasText = "6 people joined." })).ToHaveCountAsync(1);
            await Expect(ana.Page.Locator("#members-title")).ToHaveTextAsync("Members (8)");
            await Expect(ana.Members).ToHaveCountAsync(8);
            foreach (var name in crowd)
            {
                await Expect(ana.Notices.Filter(new() { HasText = name })).ToHaveCountAsync(0);
            }

            var announced = await ana.Page.Locator("#announcer").AllTextContentsAsync();
            Assert.Contains(announced, text => text.Contains("6 people joined."));
            Assert.DoesNotContain(announced, text => crowd.Any(text.Contains));

            // Joins and leaves mixed in one window, told in the language chosen.
            await ana.Page.GetByLabel("Language").SelectOptionAsync("pt-BR");
            await Expect(ana.Notices.Filter(new() { HasText = "6 pessoas entraram." })).ToHaveCountAsync(1);
            await Task.Delay(1200);
            await clients[1].Connection.InvokeAsync("LeaveRoom", room);
            await Task.WhenAll(clients.Skip(2).Take(3).Select(c => c.Connection.InvokeAsync("LeaveRoom", room))
                .Append(clients[^1].JoinRoomAsync(room)));
            await Expect(ana.Notices.Filter(new() { HasText = $"{crowd[0]} saiu." })).ToHaveCountAsync(1);
            await Expect(ana.Notices.Filter(new() { HasText = "1 pessoa entrou, 3 saíram." })).ToHaveCountAsync(1);
            await Expect(ana.Page.Locator("#members-title")).ToHaveTextAsync("Membros (5)");
            await Expect(ana.Members).ToHaveCountAsync(5);
            await ana.ScreenshotAsync("11-crowd-summary");
            await ana.AssertCleanAsync();
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    private static async Task<List<string>> MemberNamesAsync(ChatPage page) =>
        [.. await page.Members.Locator(".member-name").AllTextContentsAsync()];

    private async Task<List<ChatClient>> RegisterAllAsync(IEnumerable<string> names) =>
        [.. await Task.WhenAll(names.Select(async name =>
        {
            var client = await big.Front.ConnectAsync();
            await client.RegisterAsync(name);
            return client;
        }))];

    private async Task<List<ChatClient>> JoinAllAsync(string room, IEnumerable<string> names)
    {
        var clients = await RegisterAllAsync(names);
        await Task.WhenAll(clients.Select(c => c.JoinRoomAsync(room)));
        return clients;
    }

    private static async Task DisposeAllAsync(IEnumerable<ChatClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
