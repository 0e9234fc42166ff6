using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Rooms;
using OrleansChat.Grains.Storage;
using OrleansChat.Hosting.Internal;

namespace OrleansChat.Hosting;

/// <summary>Silo wiring shared by the stand-alone Silo host, the embedded silo in WebFront, and the tests.</summary>
public static class ChatSiloExtensions
{
    /// <summary>Hosts a silo in this process, clustered as <see cref="ChatClusterOptions"/> says.</summary>
    public static IHostApplicationBuilder AddOrleansChatSilo(this IHostApplicationBuilder builder) =>
        builder.AddOrleansChatSilo(builder.AddValidatedOptions<ChatClusterOptions>(ChatClusterOptions.SectionName));

    /// <summary>Hosts a silo in this process, for a host that has already read the cluster's settings.</summary>
    public static IHostApplicationBuilder AddOrleansChatSilo(this IHostApplicationBuilder builder, ChatClusterOptions cluster)
    {
        builder.AddValidatedOptions<ChatRoomOptions>(ChatRoomOptions.SectionName);
        var storage = builder.AddValidatedOptions<ChatStorageOptions>(ChatStorageOptions.SectionName);
        var dashboard = builder.Configuration.GetValue(
            $"{ManagementOptions.SectionName}:{nameof(ManagementOptions.Dashboard)}", defaultValue: false);
        builder.UseOrleans(silo =>
        {
            if (cluster.Mode == ClusterMode.Redis)
            {
                silo.Services.AddSingleton(new SharedRedisConnection(RedisOptions(cluster.RedisConnectionString!)));
                silo.UseRedisCluster(cluster);
                silo.AddOrleansChatGrains(cluster.StreamPollInterval);
                silo.AddRedisChatStorage(cluster.RedisConnectionString!);
            }
            else
            {
                silo.UseLocalhostClustering(
                    siloPort: cluster.SiloPort,
                    gatewayPort: cluster.GatewayPort,
                    serviceId: cluster.ServiceId,
                    clusterId: cluster.ClusterId);
                var dataPath = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, storage.DataPath));
                silo.AddOrleansChatGrains(cluster.StreamPollInterval, storage with { DataPath = dataPath });
            }

            silo.Configure<SiloMessagingOptions>(o =>
                (o.ResponseTimeout, o.ClientDropTimeout) = (cluster.ResponseTimeout, cluster.ClientDropTimeout));
            if (dashboard)
            {
                // Served only as a management endpoint (ChatOperationsExtensions.MapChatOperations). Its method
                // profiler runs only while someone looks, and stops a minute after the page is closed.
                silo.AddDashboard();
            }

            silo.AddChatTracing(builder.Configuration);
        });
        return builder;
    }

    /// <summary>
    /// The storage and stream providers the chat grains need: history in files under
    /// <paramref name="durableHistory"/>'s folder, or in memory without one (tests, benchmarks); presence in memory.
    /// A Redis cluster replaces both with Redis (<see cref="AddRedisChatStorage"/>).
    /// </summary>
    public static ISiloBuilder AddOrleansChatGrains(
        this ISiloBuilder silo, TimeSpan streamPollInterval, ChatStorageOptions? durableHistory = null)
    {
        if (durableHistory is null)
        {
            silo.AddChatMemoryStorage(ChatStorage.History);
        }
        else
        {
            silo.AddFileGrainStorage(ChatStorage.History, o =>
            {
                o.RootDirectory = durableHistory.DataPath;
                o.FlushToDisk = durableHistory.FlushToDisk;
            });
        }

        silo.AddChatMemoryStorage(ChatStorage.Presence);
        silo.AddChatMemoryStorage(ChatStreams.PubSubStore);
        silo.AddMemoryStreams(ChatStreams.ProviderName, streams => streams.ConfigurePullingAgent(agent =>
            agent.Configure(o => o.GetQueueMsgsTimerPeriod = streamPollInterval)));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddMetrics();
        silo.Services.TryAddSingleton<RoomMetrics>();
        silo.Services.AddOptions<ChatRoomOptions>();
        return silo;
    }

    /// <summary>
    /// Memory storage that copies state with Orleans' own binary serializer. The default copies through
    /// Newtonsoft.Json, which dominated a connection storm (bench/README.md, "Settings chosen by measurement").
    /// </summary>
    private static void AddChatMemoryStorage(this ISiloBuilder silo, string name) =>
        silo.AddMemoryGrainStorage(name, options => options.Configure<Serializer>(
            (o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer)));

    private static void UseRedisCluster(this ISiloBuilder silo, ChatClusterOptions cluster)
    {
        silo.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(cluster.RedisConnectionString!));
        silo.Services.AddOptions<RedisClusteringOptions>()
            .Configure<SharedRedisConnection>((o, redis) => o.CreateMultiplexer = _ => redis.ConnectAsync());
        silo.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (cluster.ServiceId, cluster.ClusterId));
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = cluster.SiloPort;
            o.GatewayPort = cluster.GatewayPort;
            if (!string.IsNullOrEmpty(cluster.AdvertisedAddress))
            {
                o.AdvertisedIPAddress = IPAddress.Parse(cluster.AdvertisedAddress);
                o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.SiloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, cluster.GatewayPort);
            }
        });
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = cluster.ProbeTimeout;
            o.MaxProbeTimeout = cluster.MaxProbeTimeout;
            o.NumMissedProbesLimit = cluster.NumMissedProbesLimit;
            o.NumVotesForDeathDeclaration = cluster.NumVotesForDeathDeclaration;
            o.DeathVoteExpirationTimeout = cluster.DeathVoteExpirationTimeout;
            o.TableRefreshTimeout = cluster.TableRefreshTimeout;
            o.IAmAliveTablePublishTimeout = cluster.IAmAliveTablePublishTimeout;
        });
        if (cluster.Kubernetes)
        {
            silo.UseKubernetesHosting();
        }
    }

    /// <summary>
    /// Every chat state in Redis: a room that moves to another silo finds its members and history. Stored with
    /// Orleans' binary serializer (JSON from earlier versions is still read: <see cref="RedisStateFormat"/>), over the
    /// process's one Redis connection.
    /// </summary>
    private static void AddRedisChatStorage(this ISiloBuilder silo, string connectionString)
    {
        silo.Services.TryAddSingleton<RedisStateFormat>();
        foreach (var name in new[] { ChatStorage.History, ChatStorage.Presence, ChatStreams.PubSubStore })
        {
            silo.AddRedisGrainStorage(name, options => options.Configure<SharedRedisConnection, RedisStateFormat>((o, redis, format) =>
            {
                o.ConfigurationOptions = RedisOptions(connectionString);
                o.CreateMultiplexer = _ => redis.ConnectAsync();
                o.GrainStorageSerializer = format;
            }));
        }
    }

    /// <summary>Keeps retrying a Redis that is down or restarting instead of failing the process.</summary>
    internal static ConfigurationOptions RedisOptions(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        return options;
    }
}
