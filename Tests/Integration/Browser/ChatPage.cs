using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// One user's tab on the chat page, driven as a person would: typing, pressing Enter, clicking what is visible.
/// It records what a test must never see: Content-Security-Policy violations, script errors and dialogs.
/// </summary>
public sealed class ChatPage(IPage page) : IAsyncDisposable
{
    private static readonly Regex Negotiate = new("/hubs/chat/negotiate");

    // Runs before the page's own scripts (Playwright injects it; the CSP does not apply to it).
    private const string RecordViolations = """
        window.__cspViolations = [];
        document.addEventListener("securitypolicyviolation",
          (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
        """;

    private readonly List<string> _problems = [];

    public IPage Page { get; } = page;

    /// <summary>Messages and dialogs a page must not produce; checked by <see cref="AssertCleanAsync"/>.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public ILocator Messages => Page.Locator("#messages > li.message");

    public ILocator Notices => Page.Locator("#messages > li.notice");

    public ILocator Members => Page.Locator("#members > li");

    public ILocator Status => Page.Locator("#status");

    public ILocator Banner => Page.Locator("#banner");

    public ILocator Composer => Page.Locator("#message");

    public ILocator RoomTitle => Page.Locator("#room-title");

    /// <summary>A message shown in the current room, by its exact text.</summary>
    public ILocator Message(string text) => Messages.Filter(new() { Has = Page.GetByText(text, new() { Exact = true }) });

    /// <summary>The address of every WebSocket the page opened.</summary>
    public List<string> WebSockets { get; } = [];

    /// <summary>The text of every frame the page's WebSockets received, for a test to read what the server said.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ReceivedFrames { get; } = new();

    internal async Task StartAsync(Uri address)
    {
        Page.WebSocket += (_, socket) =>
        {
            WebSockets.Add(socket.Url);
            socket.FrameReceived += (_, frame) => ReceivedFrames.Enqueue(frame.Text ?? "");
        };
        Page.Dialog += (_, dialog) =>
        {
            _problems.Add($"dialog: {dialog.Type} {dialog.Message}");
            _ = dialog.DismissAsync();
        };
        Page.PageError += (_, error) => _problems.Add($"page error: {error}");
        Page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsExpectedConsoleError(message.Text))
            {
                _problems.Add($"console error: {message.Text}");
            }
        };
        await Page.AddInitScriptAsync(RecordViolations);
        await GoAsync(address);
    }

    /// <summary>A dropped connection is logged by the browser and the SignalR client; that is what the test causes.</summary>
    public bool ExpectConnectionErrors { get; set; }

    private bool IsExpectedConsoleError(string text) =>
        ExpectConnectionErrors && (text.Contains("WebSocket", StringComparison.OrdinalIgnoreCase)
                                   || text.Contains("connection", StringComparison.OrdinalIgnoreCase)
                                   || text.Contains("Failed to load resource", StringComparison.OrdinalIgnoreCase)
                                   || text.Contains("negotiat", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Another tab of this page's browser, sharing its storage, at the page's address. Close it with
    /// <c>Page.CloseAsync</c>: disposing of it closes the whole browser, this tab included.
    /// </summary>
    public async Task<ChatPage> OpenTabAsync()
    {
        var tab = new ChatPage(await Page.Context.NewPageAsync());
        await tab.StartAsync(new Uri(Page.Url));
        return tab;
    }

    public async Task GoAsync(Uri address)
    {
        await Page.GotoAsync(address.ToString());
        await Expect(Status).ToHaveAttributeAsync("data-state", "connected");
    }

    /// <summary>
    /// The network goes: the page's connection, which runs through <paramref name="proxy"/>, resets (no close frame, so
    /// the server keeps the session for its grace period) and, until <see cref="RestoreNetworkAsync"/>, every attempt
    /// to open a new one fails. Returns once the page says it is reconnecting.
    /// </summary>
    public async Task CutNetworkAsync(TcpProxy proxy)
    {
        await Page.RouteAsync(Negotiate, route => route.AbortAsync("internetdisconnected"));
        proxy.DropAll();
        await Expect(Status).ToHaveAttributeAsync("data-state", "reconnecting");
    }

    public Task RestoreNetworkAsync() => Page.UnrouteAsync(Negotiate);

    /// <summary>Takes a nickname on the prompt, with the keyboard, and waits for the chat.</summary>
    public async Task JoinAsync(string nickname)
    {
        var field = Page.GetByRole(AriaRole.Textbox, new() { Name = "Nickname" })
            .Or(Page.GetByRole(AriaRole.Textbox, new() { Name = "Apelido" }));
        await field.FillAsync(nickname);
        await field.PressAsync("Enter");
        await Expect(Page.Locator("#chat")).ToBeVisibleAsync();
        await Expect(Page.Locator("#who")).ToHaveTextAsync(nickname);
    }

    /// <summary>Joins (or creates) a room from the sidebar form and waits until it is the room shown.</summary>
    public async Task JoinRoomAsync(string room)
    {
        await OpenRoomsPanelIfCollapsedAsync();
        await Page.Locator("#room-name").FillAsync(room);
        await Page.Locator("#room-name").PressAsync("Enter");
        await Expect(RoomTitle).ToHaveTextAsync($"#{room}");
    }

    public async Task LeaveRoomAsync(string room)
    {
        await OpenRoomsPanelIfCollapsedAsync();
        await Page.Locator("#leave-room").ClickAsync();
        await Expect(Page.Locator("#room-list button[data-room]", new() { HasText = $"#{room}" })).ToHaveCountAsync(0);
    }

    private async Task OpenRoomsPanelIfCollapsedAsync()
    {
        if (await Page.Locator("#show-rooms").IsVisibleAsync()
            && await Page.Locator("#show-rooms").GetAttributeAsync("aria-expanded") != "true")
        {
            await Page.Locator("#show-rooms").ClickAsync();
        }
    }

    /// <summary>Types a message and presses Enter, then waits until the server's broadcast shows it.</summary>
    public async Task SendAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
        await Expect(Composer).ToHaveValueAsync("");
        await Expect(Message(text)).ToHaveCountAsync(1);
    }

    /// <summary>The texts of the messages shown, top to bottom.</summary>
    public Task<IReadOnlyList<string>> MessageTextsAsync() => Messages.Locator(".text").AllTextContentsAsync();

    public async Task<IReadOnlyList<string>> CspViolationsAsync() =>
        await Page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []");

    /// <summary>No CSP violation, no script error, no dialog so far.</summary>
    public async Task AssertCleanAsync()
    {
        Assert.Empty(await CspViolationsAsync());
        Assert.Empty(_problems);
    }

    /// <summary>
    /// Runs axe-core (from WebFront/node_modules, installed by the build for the tests only) on the page as it is
    /// now, against WCAG 2.1 A and AA: labels, roles, names, contrast. Returns "rule: elements" per violation.
    /// </summary>
    public async Task<IReadOnlyList<string>> AccessibilityViolationsAsync()
    {
        var axe = await File.ReadAllTextAsync(Path.Combine(BrowserFixture.RepositoryRoot, "WebFront", "node_modules", "axe-core", "axe.min.js"));
        // Evaluated through the DevTools protocol, which the page's CSP does not govern, unlike an injected <script>.
        await Page.EvaluateAsync("() => {\n" + axe + "\n}");
        return await Page.EvaluateAsync<string[]>("""
            async () => {
              const result = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
              return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
            }
            """);
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png") });

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}
