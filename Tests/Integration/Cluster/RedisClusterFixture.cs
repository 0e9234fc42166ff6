using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Hosting;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// A real cluster on this machine: redis-server, two silos and two fronts, each its own process on free ports,
/// started from this build's outputs exactly as an operator would run them.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    /// <summary>Short so that "the session outlived its grace period" fits a test; production default is 30 s.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _workDir = Path.Combine(Path.GetTempPath(), "orleanschat-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _redisPort = FreePort.Next();
    private readonly ChatProcess?[] _silos = new ChatProcess?[2];
    private readonly int[] _siloPorts = new int[2];
    private readonly ChatProcess?[] _fronts = new ChatProcess?[2];
    private readonly Uri[] _frontUris = new Uri[2];
    private ChatProcess? _redis;

    public Uri FrontUri(int index) => _frontUris[index];

    /// <summary>The cluster's Redis, for a test that plays an operator restoring it from a backup.</summary>
    public string RedisConnectionString => $"127.0.0.1:{_redisPort}";

    public ChatProcess Silo(int index) => _silos[index]!;

    public ChatProcess Front(int index) => _fronts[index]!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_workDir);
        await StartRedisAsync();
        await Task.WhenAll(StartSiloAsync(0), StartSiloAsync(1));
        await Task.WhenAll(StartFrontAsync(0), StartFrontAsync(1));
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _fronts.Concat(_silos).Append(_redis))
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        Directory.Delete(_workDir, recursive: true);
    }

    public async Task<ChatClient> ConnectAsync(int front)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(FrontUri(front), "/hubs/chat"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        var client = new ChatClient(connection);
        await connection.StartAsync();
        return client;
    }

    /// <summary>Redis with an append-only file, so a restart keeps membership and grain state, as in production.</summary>
    public async Task StartRedisAsync()
    {
        _redis = ChatProcess.Start("redis", RedisServer, ["--port", _redisPort.ToString(), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--dir", _workDir], _workDir, new Dictionary<string, string>());
        await WaitUntilAsync(() => PortOpenAsync(_redisPort), _redis);
    }

    public async Task RestartRedisAsync()
    {
        await StopRedisAsync();
        await StartRedisAsync();
    }

    /// <summary>SIGKILL: Redis dies on the spot; what it had acknowledged is in its append-only file.</summary>
    public ValueTask StopRedisAsync() => _redis!.DisposeAsync();

    /// <summary>
    /// Puts a fresh silo in place of one a failed fault test may have left paused, killed or half restarted, so the
    /// tests after it find the cluster whole.
    /// </summary>
    public async Task ReplaceSiloAsync(int index)
    {
        if (_silos[index] is { } silo)
        {
            silo.Resume();
            await silo.DisposeAsync();
        }

        await StartSiloAsync(index);
    }

    public async Task StartSiloAsync(int index)
    {
        var http = FreePort.Next();
        var environment = ClusterEnvironment(http);
        _siloPorts[index] = FreePort.Next();
        environment["OrleansChat__Cluster__SiloPort"] = _siloPorts[index].ToString();
        environment["OrleansChat__Cluster__GatewayPort"] = FreePort.Next().ToString();
        _silos[index] = StartDotnet($"silo{index}", "Silo", "OrleansChat.Silo.dll", environment);
        await WaitReadyAsync(new Uri($"http://127.0.0.1:{http}"), _silos[index]!);
    }

    public async Task StartFrontAsync(int index)
    {
        var http = FreePort.Next();
        var environment = ClusterEnvironment(http);
        environment["OrleansChat__Front__LeaseRenewInterval"] = "00:00:01";
        // Short, so a killed front's users leave within a test; longer than a silo failover, so a live front whose
        // renewals wait out the cluster's detection of a dead silo is not taken for dead (at 4 s it was, once, under
        // a load average of 30).
        environment["OrleansChat__Front__LeaseDuration"] = "00:00:08";
        environment["OrleansChat__Front__CatchUpInterval"] = "00:00:02";
        _fronts[index] = StartDotnet($"front{index}", "WebFront", "OrleansChat.WebFront.dll", environment);
        _frontUris[index] = new Uri($"http://127.0.0.1:{http}");
        await WaitReadyAsync(_frontUris[index], _fronts[index]!);
    }

    /// <summary>
    /// The silo that holds the room's grain, asked of the cluster as an operator's tool would (Orleans' management
    /// grain). A fault aimed at it is sure to hit the room, not a bystander. A short-lived client, so that it never
    /// holds a gateway that an earlier test killed.
    /// </summary>
    public async Task<int> SiloHostingRoomAsync(string room)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddOrleansChatClient(new ChatClusterOptions
        {
            Mode = ClusterMode.Redis,
            RedisConnectionString = $"127.0.0.1:{_redisPort}",
            ClusterId = ClusterId,
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IChatRoomGrain>(room));
            var index = Array.IndexOf(_siloPorts, address?.Endpoint.Port ?? 0);
            return index >= 0 ? index : throw new InvalidOperationException($"room {room} is on no known silo ({address})");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, ChatProcess process, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? StartTimeout);
        while (!await condition())
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited:\n{process.Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{process.Name} not ready in time:\n{process.Output}");
            }

            await Task.Delay(100);
        }
    }

    private string ClusterId => "test-" + Path.GetFileName(_workDir);

    private static string RedisServer =>
        File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server"
        : throw new InvalidOperationException("redis-server is not installed: .ci/run installs the Debian package redis-server.");

    private Dictionary<string, string> ClusterEnvironment(int httpPort) => new()
    {
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["OrleansChat__Cluster__Mode"] = "Redis",
        ["OrleansChat__Cluster__RedisConnectionString"] = $"127.0.0.1:{_redisPort}",
        ["OrleansChat__Cluster__AdvertisedAddress"] = "127.0.0.1",
        ["OrleansChat__Cluster__ClusterId"] = ClusterId,
        ["OrleansChat__Rooms__ReconnectGrace"] = Grace.ToString(),
        ["OrleansChat__Limits__MessagesPerSecond"] = "100000",
        ["OrleansChat__Limits__MessageBurst"] = "100000",
    };

    private ChatProcess StartDotnet(string name, string project, string dll, Dictionary<string, string> environment)
    {
        var projectDir = Path.Combine(RepositoryRoot, project);
        var output = Path.Combine(projectDir, "bin", BuildConfiguration, "net10.0", dll);
        if (!File.Exists(output))
        {
            throw new InvalidOperationException($"{output} does not exist: build the solution (not only Tests) first.");
        }
        return ChatProcess.Start(name, "dotnet", [output], projectDir, environment);
    }

    private static async Task WaitReadyAsync(Uri baseUri, ChatProcess process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitUntilAsync(async () =>
        {
            try
            {
                return (await http.GetAsync(new Uri(baseUri, "/health/ready"))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }, process);
    }

    private static async Task<bool> PortOpenAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>The configuration this test assembly was built in: the processes run from the same build.</summary>
    private static string BuildConfiguration =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansChat.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("OrleansChat.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "redis cluster";
}
