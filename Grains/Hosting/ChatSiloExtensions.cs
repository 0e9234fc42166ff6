using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace OrleansChat.Grains.Hosting;

/// <summary>Silo wiring shared by the stand-alone Silo host, the embedded silo in WebFront, and the tests.</summary>
public static class ChatSiloExtensions
{
    /// <summary>Hosts a silo in this process, clustered as <see cref="ChatClusterOptions"/> says.</summary>
    public static IHostApplicationBuilder AddOrleansChatSilo(this IHostApplicationBuilder builder)
    {
        var cluster = builder.AddValidatedOptions<ChatClusterOptions>(ChatClusterOptions.SectionName);
        builder.AddValidatedOptions<ChatRoomOptions>(ChatRoomOptions.SectionName);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(
                siloPort: cluster.SiloPort,
                gatewayPort: cluster.GatewayPort,
                primarySiloEndpoint: cluster.PrimarySiloPort > 0 ? new IPEndPoint(IPAddress.Loopback, cluster.PrimarySiloPort) : null,
                serviceId: cluster.ServiceId,
                clusterId: cluster.ClusterId);
            silo.AddOrleansChatGrains(cluster.StreamPollInterval);
        });
        return builder;
    }

    /// <summary>The storage and stream providers the chat grains need, in memory.</summary>
    public static ISiloBuilder AddOrleansChatGrains(this ISiloBuilder silo, TimeSpan streamPollInterval)
    {
        silo.AddMemoryGrainStorage(ChatStorage.History);
        silo.AddMemoryGrainStorage(ChatStorage.Presence);
        silo.AddMemoryGrainStorage(ChatStreams.PubSubStore);
        silo.AddMemoryStreams(ChatStreams.ProviderName, streams => streams.ConfigurePullingAgent(agent =>
            agent.Configure(o => o.GetQueueMsgsTimerPeriod = streamPollInterval)));
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddOptions<ChatRoomOptions>();
        return silo;
    }
}
