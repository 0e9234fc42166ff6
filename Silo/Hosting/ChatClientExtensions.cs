using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Hosting;

/// <summary>Wiring for a process that talks to a Redis-clustered set of silos without hosting one: a front.</summary>
public static class ChatClientExtensions
{
    public static IHostApplicationBuilder AddOrleansChatClient(this IHostApplicationBuilder builder, ChatClusterOptions cluster)
    {
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = ChatSiloExtensions.RedisOptions(cluster.RedisConnectionString!));
            client.Configure<ClusterOptions>(o => (o.ServiceId, o.ClusterId) = (cluster.ServiceId, cluster.ClusterId));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = cluster.GatewayListRefreshPeriod);
            client.AddMemoryStreams(ChatStreams.ProviderName);
            client.AddChatTracing(builder.Configuration);
        });
        return builder;
    }
}
