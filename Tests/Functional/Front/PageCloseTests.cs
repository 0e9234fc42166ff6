using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>A front whose reload grace is short enough to wait out in a test, and far below the grace of a drop.</summary>
public sealed class ShortReloadGraceFrontFactory : ChatFrontFactory
{
    public static readonly TimeSpan ReloadGrace = TimeSpan.FromSeconds(2);

    public ShortReloadGraceFrontFactory() => With("OrleansChat:Rooms:ReloadGrace", ReloadGrace.ToString());
}

/// <summary>
/// Issue 16: a page closed or reloaded sends a WebSocket close frame and no goodbye. The user may be back in a moment,
/// so the leave waits the reload grace; a client told to stop still leaves at once.
/// </summary>
public sealed class PageCloseTests(ShortReloadGraceFrontFactory front) : IClassFixture<ShortReloadGraceFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task A_closed_page_is_announced_once_the_reload_grace_ends_not_at_once()
    {
        await using var bia = await RegisteredAsync("bia");
        var (ana, closePage) = await front.ConnectPageAsync();
        await ana.RegisterAsync(Nick("ana"));
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");

        var closed = Stopwatch.StartNew();
        await closePage();

        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} saiu do chat.", ShortReloadGraceFrontFactory.ReloadGrace * 5);
        Assert.InRange(closed.Elapsed, ShortReloadGraceFrontFactory.ReloadGrace * 0.9, TimeSpan.FromSeconds(30));
        await ana.DisposeAsync();
    }

    [Fact]
    public async Task A_page_reloaded_within_the_reload_grace_comes_back_unseen_with_what_it_missed()
    {
        await using var bia = await RegisteredAsync("bia");
        var (ana, closePage) = await front.ConnectPageAsync();
        var token = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");

        await closePage();
        await ana.Closed.Task.WaitAsync(Inbox<ChatClient.Received>.DefaultTimeout);
        await bia.SendAsync($"while reloading {_tag}");
        await using var reloaded = await front.ConnectAsync();
        var resumed = await reloaded.Connection.InvokeAsync<JsonElement>("Resume", token, Array.Empty<object>());
        await reloaded.SendAsync($"back {_tag}");

        // What was sent meanwhile comes in the resume's messages or, when this front's feed had not yet seen it, live
        // just after (protocol §9): either way, once.
        var geral = resumed.GetProperty("rooms").EnumerateArray().Single();
        var inResume = geral.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("msg").GetString() == $"while reloading {_tag}");
        var live = 0;
        await reloaded.Events.FirstAsync(e =>
        {
            live += e.IsMessage($"while reloading {_tag}") ? 1 : 0;
            return e.IsMessage($"back {_tag}");
        });
        Assert.Equal(1, inResume + live);
        var seen = new List<ChatClient.Received>();
        await bia.Events.FirstAsync(e => { seen.Add(e); return e.IsMessage($"back {_tag}"); });
        // An absence can only be seen over time: past the reload grace, a leave that was waiting for it would have come
        // before this later message.
        await Task.Delay(ShortReloadGraceFrontFactory.ReloadGrace * 1.5);
        await reloaded.SendAsync($"later {_tag}");
        await bia.Events.FirstAsync(e => { seen.Add(e); return e.IsMessage($"later {_tag}"); });
        Assert.DoesNotContain(seen, e => e.Notice is { } notice && notice.StartsWith(Nick("ana")));
        await ana.DisposeAsync();
    }

    [Fact]
    public async Task A_client_told_to_stop_leaves_at_once()
    {
        await using var bia = await RegisteredAsync("bia");
        // SignalR's own clients send their close message without waiting for it (the .NET client does not await the
        // write before closing its transport), so under load a stop may go out as a bare close frame. This client
        // writes what a stop is on the wire, in order: the close message, then the close frame.
        using var ana = new ClientWebSocket();
        await ana.ConnectAsync(new UriBuilder(new Uri(front.BaseAddress, HubRoute.Path)) { Scheme = "ws" }.Uri, CancellationToken.None);
        await SendAsync(ana, """{"protocol":"json","version":1}""");
        await SendAsync(ana, $$"""{"type":1,"invocationId":"1","target":"Register","arguments":["{{Nick("ana")}}"]}""");
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");

        var stopped = Stopwatch.StartNew();
        await SendAsync(ana, """{"type":7}""");
        await ana.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} saiu do chat.");
        Assert.True(stopped.Elapsed < ShortReloadGraceFrontFactory.ReloadGrace, $"the leave came {stopped.Elapsed} after the stop");
    }

    /// <summary>One SignalR JSON record: the text and the record separator.</summary>
    private static Task SendAsync(ClientWebSocket socket, string record) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(record + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        return client;
    }
}
