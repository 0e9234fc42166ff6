using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Support;

/// <summary>
/// The real WebFront with its embedded silo, on Kestrel at a free loopback port, so SignalR clients connect over
/// real WebSockets exactly as browsers do.
/// </summary>
public class ChatFrontFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings = [];

    public ChatFrontFactory()
        : this(asTheAppListens: false)
    {
    }

    /// <param name="asTheAppListens">
    /// Listen on every URL the app ends up with (this factory's loopback one and what the app adds to it, such as the
    /// management port) rather than only on the one address the test server would pick.
    /// </param>
    protected ChatFrontFactory(bool asTheAppListens)
    {
        if (asTheAppListens)
        {
            UseKestrel(_ => { });
        }
        else
        {
            UseKestrel(0);
        }

        With("OrleansChat:Storage:DataPath", DataPath);

        // Most tests send bursts far beyond a person's typing speed; flood protection has tests of its own.
        With("OrleansChat:Limits:MessagesPerSecond", "100000").With("OrleansChat:Limits:MessageBurst", "100000");
        With("OrleansChat:Limits:JoinsPerSecond", "100000").With("OrleansChat:Limits:JoinBurst", "100000");
        With("OrleansChat:Limits:OtherCallsPerSecond", "100000").With("OrleansChat:Limits:OtherCallBurst", "100000");
    }

    /// <summary>This front's history folder, deleted with the factory unless a test shares it on purpose.</summary>
    public string DataPath { get; private set; } = Path.Combine(Path.GetTempPath(), "orleanschat-" + Guid.NewGuid().ToString("N"));

    private bool OwnsDataPath { get; set; } = true;

    /// <summary>Keeps history in a given folder, e.g. one a previous front used; the caller deletes it.</summary>
    public ChatFrontFactory WithDataPath(string path)
    {
        (DataPath, OwnsDataPath) = (path, false);
        return With("OrleansChat:Storage:DataPath", path);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (OwnsDataPath && Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Every error the front logged.</summary>
    public LogSink Logs { get; } = new();

    /// <summary>The embedded silo's port, for a second front to join this one's cluster.</summary>
    public int SiloPort { get; } = FreePort.Next();

    /// <summary>Overrides a setting; only before the server starts.</summary>
    public ChatFrontFactory With(string key, string value)
    {
        _settings[key] = value;
        return this;
    }

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(addresses.Addresses.First());
        }
    }

    /// <summary>
    /// Waits until the front holds only <paramref name="count"/> connections: SignalR lets go of a connection after its
    /// hub's disconnect handler has finished, so from then on the closed ones have told the nickname grain.
    /// </summary>
    public async Task OnlyOpenAsync(int count)
    {
        var connections = Services.GetRequiredService<ChatConnections>();
        using var timeout = new CancellationTokenSource(Inbox<ChatClient.Received>.DefaultTimeout);
        while (connections.Open.Count != count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>
    /// A started SignalR client on WebSockets, recording every event the hub sends it; with
    /// <paramref name="accessToken"/>, signed in as a browser would be (<c>accessTokenFactory</c>).
    /// </summary>
    public async Task<ChatClient> ConnectAsync(
        Uri? via = null, HttpTransportType transport = HttpTransportType.WebSockets, string? accessToken = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(via ?? BaseAddress, HubRoute.Path), o =>
            {
                o.Transports = transport;
                o.SkipNegotiation = transport == HttpTransportType.WebSockets;
                if (accessToken is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                }
            })
            .Build();
        var client = new ChatClient(connection);
        await connection.StartAsync();
        return client;
    }

    /// <summary>
    /// A started client on WebSockets, and a way to end its connection as a browser ends a closed or reloaded page's:
    /// a close frame and nothing else (SignalR's own stop would first send its close message).
    /// </summary>
    public async Task<(ChatClient Client, Func<Task> ClosePage)> ConnectPageAsync()
    {
        ClientWebSocket? socket = null;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(BaseAddress, HubRoute.Path), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var opened = new ClientWebSocket();
                    await opened.ConnectAsync(context.Uri, cancellationToken);
                    socket = opened;
                    return opened;
                };
            })
            .Build();
        var client = new ChatClient(connection);
        await connection.StartAsync();
        return (client, () => socket!.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, null, CancellationToken.None));
    }

    /// <summary>
    /// The HTTP status the hub answers a WebSocket upgrade with, as a browser would send it: 101 when it is taken, or
    /// the refusal (403, 429, …). The socket, if it opened, is closed at once.
    /// </summary>
    public async Task<HttpStatusCode> WebSocketUpgradeStatusAsync(string? origin = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        try
        {
            await socket.ConnectAsync(new UriBuilder(new Uri(BaseAddress, HubRoute.Path)) { Scheme = "ws" }.Uri, CancellationToken.None);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // A refused upgrade: its status is what the caller asked for.
        }

        return socket.HttpStatusCode;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Urls", "http://127.0.0.1:0");
        builder.UseSetting("OrleansChat:Cluster:SiloPort", SiloPort.ToString());
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }
}
