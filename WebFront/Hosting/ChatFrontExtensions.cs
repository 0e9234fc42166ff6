using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansChat.Hosting;
using OrleansChat.WebFront.Cluster;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Endpoints;
using OrleansChat.WebFront.Hubs.Internal;
using OrleansChat.WebFront.Hubs;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Security;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Hosting;

/// <summary>The front's wiring: how it reaches the cluster, SignalR, the stream relay and the static content.</summary>
public static class ChatFrontExtensions
{
    /// <summary>
    /// Embedded (the default): hosts a silo in this process. Redis: an Orleans client of separate silos, which
    /// watches its gateways to catch its relay up when one dies.
    /// </summary>
    public static IHostApplicationBuilder AddChatCluster(this IHostApplicationBuilder builder)
    {
        var cluster = builder.AddValidatedOptions<ChatClusterOptions>(ChatClusterOptions.SectionName);
        if (cluster.Mode == ClusterMode.Embedded)
        {
            return builder.AddOrleansChatSilo(cluster);
        }

        builder.AddOrleansChatClient(cluster);
        builder.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<GatewayChangeSignal>());
        return builder;
    }

    public static IHostApplicationBuilder AddChatFront(this IHostApplicationBuilder builder)
    {
        var front = builder.AddValidatedOptions<ChatFrontOptions>(ChatFrontOptions.SectionName);
        builder.AddValidatedOptions<RoomJoinOptions>(RoomJoinOptions.SectionName);
        builder.AddValidatedOptions<ConversationOptions>(ConversationOptions.SectionName);
        var limits = builder.AddValidatedOptions<ChatLimitsOptions>(ChatLimitsOptions.SectionName);
        builder.AddChatAuth();
        builder.Services.AddSingleton<ChatRateLimitFilter>();
        builder.Services.AddSingleton<RefusalLoggingFilter>();
        builder.Services.AddSignalR(hub =>
        {
            hub.MaximumReceiveMessageSize = limits.MaximumReceiveMessageSize;
            // First, so it also sees the rate limiter's refusals.
            hub.AddFilter<RefusalLoggingFilter>();
            hub.AddFilter<ChatRateLimitFilter>();
        });
        // Inserted ahead of the configuration's rules, so a Logging:LogLevel entry for this exact category still
        // wins (e.g. Debug, to see every invocation); "Microsoft.AspNetCore" is less specific and does not.
        builder.Services.Configure<LoggerFilterOptions>(o =>
            o.Rules.Insert(0, new LoggerFilterRule(null, RefusalLoggingFilter.DispatcherCategory, LogLevel.Critical, null)));
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // A WebSocket request lasts as long as its connection: a concurrency limit on the hub counts open
            // connections per client address.
            limiter.AddPolicy(ChatEndpoints.ConnectionsPerAddressPolicy, http => RateLimitPartition.GetConcurrencyLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new ConcurrencyLimiterOptions { PermitLimit = limits.ConnectionsPerAddress, QueueLimit = 0 }));
        });
        builder.Services.AddCors(cors => cors.AddPolicy(ChatEndpoints.HubCorsPolicy, policy => policy
            .WithOrigins(front.AllowedOrigins)
            .WithMethods(HttpMethods.Get, HttpMethods.Post)
            // The browser client sends X-Requested-With and X-SignalR-User-Agent, and cookies (withCredentials).
            .AllowAnyHeader()
            .AllowCredentials()));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(FrontIdentity.ForThisProcess());
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddSingleton<ChatConnections>();
        builder.Services.AddSingleton<ConnectionHandback>();
        builder.Services.AddSingleton<ConnectionCloseTracking>();
        builder.Services.AddSingleton<HubLifetimeManager<ChatHub>, ChatHubLifetimeManager>();
        builder.Services.AddSingleton<ConnectedUsers>();
        builder.Services.AddSingleton<RoomRemovals>();
        builder.Services.AddSingleton<RoomStreamRelay>();
        builder.Services.AddSingleton<UserStreamRelay>();
        builder.Services.AddSingleton<ReadMarks>();
        builder.Services.AddSingleton<MessageChanges>();
        builder.Services.AddSingleton<SessionMirror>();
        builder.Services.AddSingleton<ISessionRoomsListener>(services => services.GetRequiredService<SessionMirror>());
        builder.Services.AddSingleton<GrainCalls>();
        builder.Services.AddSingleton<RoomJoins>();
        builder.Services.AddSingleton<DirectConversations>();
        builder.Services.AddSingleton<SessionStarts>();
        builder.Services.AddSingleton<TypingThrottle>();
        builder.Services.AddSingleton<SlowConsumers>();
        builder.Services.AddHostedService<SlowConsumerMonitor>();
        builder.Services.AddSingleton<GatewayChangeSignal>();
        builder.Services.AddHostedService<RelayWatchdog>();
        builder.Services.AddHostedService<FrontLeaseService>();
        builder.Services.AddSingleton<BrandImages>();
        // For what is not a page file (those are compressed at build, MapStaticAssets): negotiation's JSON and the
        // metrics text; event streams are not in the defaults, so SignalR's server-sent events are never buffered.
        builder.Services.AddResponseCompression(o => o.EnableForHttps = true);
        builder.AddChatOperations(
            "orleanschat-webfront", readiness => readiness.AddCheck<ClusterReadyCheck>("cluster"), ChatMetrics.MeterName);
        return builder;
    }
}
