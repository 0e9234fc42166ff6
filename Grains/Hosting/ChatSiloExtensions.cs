using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Hosting;

/// <summary>Silo wiring shared by the stand-alone Silo host, the embedded silo in WebFront, and the tests.</summary>
public static class ChatSiloExtensions
{
    /// <summary>Hosts a silo in this process, clustered as <see cref="ChatClusterOptions"/> says.</summary>
    public static IHostApplicationBuilder AddOrleansChatSilo(this IHostApplicationBuilder builder)
    {
        var cluster = builder.AddValidatedOptions<ChatClusterOptions>(ChatClusterOptions.SectionName);
        builder.AddValidatedOptions<ChatRoomOptions>(ChatRoomOptions.SectionName);
        var storage = builder.AddValidatedOptions<ChatStorageOptions>(ChatStorageOptions.SectionName);
        var dataPath = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, storage.DataPath));
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(
                siloPort: cluster.SiloPort,
                gatewayPort: cluster.GatewayPort,
                serviceId: cluster.ServiceId,
                clusterId: cluster.ClusterId);
            silo.AddOrleansChatGrains(cluster.StreamPollInterval, storage with { DataPath = dataPath });
        });
        return builder;
    }

    /// <summary>
    /// The storage and stream providers the chat grains need: history in files under
    /// <paramref name="durableHistory"/>'s folder, or in memory without one (tests, benchmarks); presence in memory.
    /// </summary>
    public static ISiloBuilder AddOrleansChatGrains(
        this ISiloBuilder silo, TimeSpan streamPollInterval, ChatStorageOptions? durableHistory = null)
    {
        if (durableHistory is null)
        {
            silo.AddMemoryGrainStorage(ChatStorage.History);
        }
        else
        {
            silo.AddFileGrainStorage(ChatStorage.History, o =>
            {
                o.RootDirectory = durableHistory.DataPath;
                o.FlushToDisk = durableHistory.FlushToDisk;
            });
        }

        silo.AddMemoryGrainStorage(ChatStorage.Presence);
        silo.AddMemoryGrainStorage(ChatStreams.PubSubStore);
        silo.AddMemoryStreams(ChatStreams.ProviderName, streams => streams.ConfigurePullingAgent(agent =>
            agent.Configure(o => o.GetQueueMsgsTimerPeriod = streamPollInterval)));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddOptions<ChatRoomOptions>();
        return silo;
    }
}
