using System.Net;
using System.Text;
using Microsoft.Playwright;
using OrleansChat.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>
/// A partner's page on another origin, listed in <c>OrleansChat:Front:AllowedOrigins</c>, and one that is not: each
/// served by its own little web server on a free port, loading the official client from the front's /lib.
/// </summary>
public sealed class CrossOriginFronts : IAsyncLifetime
{
    public PartnerSite Allowed { get; } = new();

    public PartnerSite Stranger { get; } = new();

    public ChatFrontFactory Front { get; }

    public CrossOriginFronts() => Front = new ChatFrontFactory()
        .With("OrleansChat:Front:AllowedOrigins:0", Allowed.Origin);

    public Task InitializeAsync()
    {
        var front = Front.BaseAddress.GetLeftPart(UriPartial.Authority);
        Allowed.Start(front);
        Stranger.Start(front);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Allowed.Dispose();
        Stranger.Dispose();
        await Front.DisposeAsync();
    }
}

[Collection(BrowserCollection.Name)]
public sealed class CrossOriginPageTests(BrowserFixture browser, CrossOriginFronts sites) : IClassFixture<CrossOriginFronts>
{
    [Fact]
    public async Task A_page_on_an_allowed_origin_negotiates_connects_registers_and_chats()
    {
        await using var bia = await sites.Front.ConnectAsync();
        await bia.RegisterAsync("cors-bia");
        var (page, sockets) = await OpenAsync(sites.Allowed, "cors-ana");

        await Expect(page.Locator("#log li", new() { HasText = "registered cors-ana" })).ToBeVisibleAsync();
        await Expect(page.Locator("#log li", new() { HasText = "cors-ana: hello from the partner" })).ToBeVisibleAsync();
        var heard = await bia.Events.FirstAsync(e => e.Event == "broadcast_message"
                                                     && e.Broadcast!.Value.GetProperty("nickname").GetString() == "cors-ana");
        await bia.SendAsync("hello back");
        await Expect(page.Locator("#log li", new() { HasText = "cors-bia: hello back" })).ToBeVisibleAsync();

        Assert.Equal("hello from the partner", heard.Broadcast!.Value.GetProperty("msg").GetString());
        // The client negotiated first (it does unless told to skip), then took WebSockets to the front.
        var frontSocket = new UriBuilder(sites.Front.BaseAddress) { Scheme = "ws" }.Uri.GetLeftPart(UriPartial.Authority);
        Assert.Contains(sockets, url => url.StartsWith(frontSocket + "/hubs/chat?id=", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_page_on_an_origin_not_allowed_cannot_connect()
    {
        await using var bia = await sites.Front.ConnectAsync();
        await bia.RegisterAsync("cors-watcher");
        var (page, sockets) = await OpenAsync(sites.Stranger, "cors-eve");

        await Expect(page.Locator("#log li", new() { HasText = "error:" })).ToBeVisibleAsync();

        Assert.Empty(sockets);
        await Expect(page.Locator("#log li", new() { HasText = "registered" })).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    private async Task<(IPage Page, List<string> Sockets)> OpenAsync(PartnerSite site, string nickname)
    {
        var context = await browser.Browser.NewContextAsync();
        context.SetDefaultTimeout((float)BrowserFixture.Patience.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add(socket.Url);
        await page.GotoAsync($"{site.Origin}/?nick={nickname}");
        return (page, sockets);
    }
}

/// <summary>Another origin: a loopback HttpListener on a free port that serves one chat page, and nothing else.</summary>
public sealed class PartnerSite : IDisposable
{
    private readonly HttpListener _listener = new();

    public string Origin { get; } = $"http://127.0.0.1:{FreePort.Next()}";

    public void Start(string front)
    {
        var html = Encoding.UTF8.GetBytes(Page.Replace("FRONT", front));
        _listener.Prefixes.Add(Origin + "/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }

                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(html);
                context.Response.Close();
            }
        });
    }

    public void Dispose() => _listener.Close();

    // The official client as a partner would use it: negotiation first (a CORS request), then WebSockets.
    private const string Page = """
        <!doctype html>
        <meta charset="utf-8">
        <title>partner</title>
        <ul id="log"></ul>
        <script src="FRONT/lib/signalr/signalr.min.js"></script>
        <script>
          const log = (text) => {
            const li = document.createElement("li");
            li.textContent = text;
            document.getElementById("log").append(li);
          };
          const nick = new URLSearchParams(location.search).get("nick");
          const connection = new signalR.HubConnectionBuilder().withUrl("FRONT/hubs/chat").build();
          connection.on("broadcast_message", (m) => log(`${m.nickname}: ${m.msg}`));
          connection.start()
            .then(() => connection.invoke("Register", nick))
            .then(() => log(`registered ${nick}`))
            .then(() => connection.invoke("Message", "hello from the partner"))
            .catch((e) => log(`error: ${e}`));
        </script>
        """;
}
