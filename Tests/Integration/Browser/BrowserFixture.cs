using Microsoft.Playwright;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// One real web front on Kestrel and one headless Debian Chromium driven by Playwright, shared by the browser tests.
/// Playwright's own browser builds are never downloaded: the driver (Node.js, shipped inside the NuGet package under
/// .playwright/) launches the system Chromium that .ci/run installs.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>How long any page condition may take on a busy two-core machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public ChatFrontFactory Front { get; } = new ChatFrontFactory()
        // The tests post bursts of messages from one client to fill history quickly.
        .With("OrleansChat:Limits:MessagesPerSecond", "1000")
        .With("OrleansChat:Limits:MessageBurst", "1000")
        // The page throttles its own typing calls; the server's throttle would hide "is typing" right after a send.
        .With("OrleansChat:Front:TypingInterval", "00:00:00");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    /// <summary>Where screenshots go: .artifacts/screenshots/ at the repository root (ignored by git).</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot, ".artifacts", "screenshots");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OrleansChat.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("OrleansChat.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (.ci/run does).");
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        _ = Front.BaseAddress; // starts the server
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Timeout = (float)TimeSpan.FromSeconds(60).TotalMilliseconds,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-features=LocalNetworkAccessChecks",
            ],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh browser profile (cookies, storage) with a desktop window unless told otherwise.</summary>
    public async Task<ChatPage> OpenAsync(Uri? via = null, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.ViewportSize ??= new ViewportSize { Width = 1280, Height = 800 };
        options.Locale ??= "en-US";
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var chat = new ChatPage(page);
        await chat.StartAsync(via ?? Front.BaseAddress);
        return chat;
    }

    /// <summary>A new browser's page, registered as <paramref name="nickname"/> and in <paramref name="room"/>.</summary>
    public async Task<ChatPage> OpenInRoomAsync(string nickname, string room)
    {
        var chat = await OpenAsync();
        await chat.JoinAsync(nickname);
        await chat.JoinRoomAsync(room);
        return chat;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Front.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
