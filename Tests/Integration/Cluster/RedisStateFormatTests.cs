using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Clustering.Redis;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;
using Xunit.Abstractions;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Storage;
using OrleansChat.Hosting;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// Issue 14, Redis storage: state is written with Orleans' binary serializer over one Redis connection per silo,
/// and a room stored as JSON by the earlier configuration (Orleans' Redis storage defaults: Newtonsoft.Json, a
/// connection per provider) is read after the upgrade and rewritten in binary, as docs/operations.md promises. A
/// real redis-server and in-process silos, the old one configured exactly as before.
/// </summary>
public sealed class RedisStateFormatTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ProbeName = "state-format-test";

    private readonly string _dir = Directory.CreateTempSubdirectory("orleanschat-state-").FullName;
    private readonly int _redisPort = FreePort.Next();
    private readonly string _serviceId = "format-" + Guid.NewGuid().ToString("N")[..6];
    private ChatProcess? _redis;

    public async Task InitializeAsync()
    {
        _redis = ChatProcess.Start("redis", "/usr/bin/redis-server",
            ["--port", _redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", _dir], _dir, new Dictionary<string, string>());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await PortOpenAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, $"redis-server did not start:\n{_redis.Output}");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_room_stored_as_json_by_the_old_configuration_is_read_after_the_upgrade_and_rewritten_in_binary()
    {
        const string room = "upgraded";
        using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_redisPort},name={ProbeName}");
        var db = probe.GetDatabase();
        var ana = Guid.NewGuid();

        int oldConnections;
        var old = await StartSiloAsync("old", oldFormat: true);
        try
        {
            var grain = old.Services.GetRequiredService<IGrainFactory>().GetGrain<IChatRoomGrain>(room);
            Assert.Equal(JoinStatus.Joined, (await grain.Join(new JoinRequest("ana", ana, "front"))).Status);
            foreach (var text in new[] { "one", "two", "three" })
            {
                Assert.Equal(PostStatus.Posted, (await grain.Post(new PostRequest(Guid.NewGuid(), "ana", ana, text))).Status);
            }

            oldConnections = await SiloConnectionsAsync(db);
        }
        finally
        {
            await StopAsync(old);
        }

        var logKey = await RoomRedisKeys.LogAsync(probe, room);
        // The starting point is really JSON, or this test would prove nothing about reading it.
        Assert.StartsWith("{", (string?)await db.HashGetAsync(logKey, "data"));

        var upgraded = await StartSiloAsync("new", oldFormat: false);
        int newConnections;
        MessageRange before, after;
        PostResult posted;
        byte[]? stored;
        try
        {
            newConnections = await SiloConnectionsAsync(db);
            var grain = upgraded.Services.GetRequiredService<IGrainFactory>().GetGrain<IChatRoomGrain>(room);
            before = await grain.GetMessages(new MessageQuery(1, long.MaxValue, 100));
            posted = await grain.Post(new PostRequest(Guid.NewGuid(), "ana", ana, "four"));
            after = await grain.GetMessages(new MessageQuery(1, long.MaxValue, 100));
            stored = (byte[]?)await db.HashGetAsync(logKey, "data");
        }
        finally
        {
            await StopAsync(upgraded);
        }

        output.WriteLine($"Redis connections of one silo: {oldConnections} with the old configuration, {newConnections} now");
        Assert.Equal(["one", "two", "three"], before.Messages.Select(m => m.Text));
        Assert.Equal(PostStatus.Posted, posted.Status);
        Assert.Equal(4, posted.Message!.Seq);
        Assert.Equal(["one", "two", "three", "four"], after.Messages.Select(m => m.Text));
        Assert.NotNull(stored);
        Assert.NotEqual((byte)'{', stored![0]);
        // One multiplexer: its interactive connection and its subscription connection.
        Assert.InRange(newConnections, 1, 2);
        Assert.True(newConnections < oldConnections, $"{newConnections} connections now, {oldConnections} before");
    }

    /// <summary>
    /// A silo of the chat's Redis configuration; with <paramref name="oldFormat"/>, put back to what it was before
    /// issue 14: Orleans' defaults for the storages' serializer and every provider's own connection.
    /// </summary>
    private async Task<IHost> StartSiloAsync(string clusterId, bool oldFormat)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddOrleansChatSilo(new ChatClusterOptions
        {
            Mode = ClusterMode.Redis,
            RedisConnectionString = $"127.0.0.1:{_redisPort}",
            AdvertisedAddress = "127.0.0.1",
            SiloPort = FreePort.Next(),
            GatewayPort = FreePort.Next(),
            ServiceId = _serviceId,
            ClusterId = clusterId,
        });
        if (oldFormat)
        {
            foreach (var name in new[] { ChatStorage.History, ChatStorage.Presence, ChatStreams.PubSubStore })
            {
                builder.Services.AddOptions<RedisStorageOptions>(name).PostConfigure<OrleansJsonSerializer>((o, json) =>
                {
                    o.GrainStorageSerializer = new JsonGrainStorageSerializer(json);
                    o.CreateMultiplexer = RedisStorageOptions.DefaultCreateMultiplexer;
                });
            }

            builder.Services.AddOptions<RedisClusteringOptions>()
                .PostConfigure(o => o.CreateMultiplexer = RedisClusteringOptions.DefaultCreateMultiplexer);
        }

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task StopAsync(IHost host)
    {
        await host.StopAsync();
        host.Dispose();
    }

    /// <summary>Connections to redis now, apart from this test's own: the one silo's, all its providers opened at start.</summary>
    private static async Task<int> SiloConnectionsAsync(IDatabase db)
    {
        var list = (string?)await db.ExecuteAsync("CLIENT", "LIST") ?? "";
        return list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.Contains($"name={ProbeName}"));
    }

    private async Task<bool> PortOpenAsync()
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", _redisPort);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
