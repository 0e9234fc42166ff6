using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Hosting;

/// <summary>
/// What an operator needs from every chat process: health endpoints, Prometheus metrics and, where a silo runs, the
/// Orleans dashboard, served only where <see cref="ManagementOptions"/> says (loopback by default, or a port of their
/// own); and traces over OTLP when a collector is named (<see cref="ChatTracing"/>).
/// </summary>
public static class ChatOperationsExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/admin/metrics";
    public const string DashboardPath = "/admin/dashboard";

    private const string ReadyTag = "ready";

    private const int MetricCardinalityLimit = 256;

    /// <summary>
    /// Health checks (those added by <paramref name="readiness"/> decide readiness), metrics, and traces when
    /// <see cref="ChatTracing.IsEnabled"/>. <paramref name="instruments"/> names this process's own meters and activity
    /// sources (each is both); <paramref name="serviceName"/> is the traces' service unless <c>OTEL_SERVICE_NAME</c> says.
    /// </summary>
    public static IHostApplicationBuilder AddChatOperations(
        this IHostApplicationBuilder builder, string serviceName, Action<IHealthChecksBuilder> readiness, params string[] instruments)
    {
        var management = builder.AddValidatedOptions<ManagementOptions>(ManagementOptions.SectionName);
        if (management.Port is { } port && builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls)
        {
            // Added to the app's URLs rather than set with Kestrel's Listen, which would discard them. An operator who
            // configures Kestrel:Endpoints instead adds an endpoint for this port there (docs/operations.md).
            builder.Configuration[WebHostDefaults.ServerUrlsKey] = $"{urls};http://0.0.0.0:{port}";
        }

        var checks = builder.Services.AddHealthChecks();
        readiness(new TaggingHealthChecksBuilder(checks));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter([.. instruments, RoomMetrics.MeterName, "Microsoft.Orleans"])
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            // Every metric stream preallocates room for its tag combinations, and OpenTelemetry's default is far more
            // than any of ours has (methods, status codes, grain types): bench/README.md, "Settings chosen by
            // measurement".
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit })
            .AddPrometheusExporter());
        builder.AddChatTracing(serviceName, instruments);
        return builder;
    }

    /// <summary>
    /// Live: the process answers. Ready: it can serve (its checks pass). Metrics: Prometheus text format. Dashboard:
    /// Orleans' own, in a process that hosts a silo (<see cref="ChatSiloExtensions.AddOrleansChatSilo(IHostApplicationBuilder)"/>
    /// adds it to every silo); every one of its pages and APIs is a management endpoint.
    /// </summary>
    public static WebApplication MapChatOperations(this WebApplication app)
    {
        var management = app.Services.GetRequiredService<IOptions<ManagementOptions>>().Value;
        app.UseManagementGate(management);
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).WithMetadata(ManagementEndpoint.Instance);
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) })
            .WithMetadata(ManagementEndpoint.Instance);
        app.MapPrometheusScrapingEndpoint(MetricsPath).WithMetadata(ManagementEndpoint.Instance);
        if (management.Dashboard && app.Services.GetService<ILocalSiloDetails>() is not null)
        {
            app.MapOrleansDashboard(DashboardPath).WithMetadata(ManagementEndpoint.Instance);
        }

        return app;
    }

    /// <summary>
    /// Answers 404, as if nothing were there, to a management request from where it may not come, and, when the
    /// management port is set, to anything else asked on that port. It runs after routing (WebApplication routes
    /// first), so it knows the endpoint; it goes by the connection, never the Host header, which a client chooses.
    /// </summary>
    public static IApplicationBuilder UseManagementGate(this IApplicationBuilder app, ManagementOptions options) =>
        app.Use((context, next) =>
        {
            var isManagement = context.GetEndpoint()?.Metadata.GetMetadata<ManagementEndpoint>() is not null;
            var allowed = options.Port is { } port
                ? isManagement == (context.Connection.LocalPort == port)
                : !isManagement || IsLocal(context.Connection.RemoteIpAddress);
            if (allowed)
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

    // No address: not over the network at all (a Unix socket, or an in-process test server).
    private static bool IsLocal(IPAddress? remote) =>
        remote is null || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    /// <summary>Marks the endpoints <see cref="UseManagementGate"/> guards.</summary>
    public sealed class ManagementEndpoint
    {
        public static readonly ManagementEndpoint Instance = new();

        private ManagementEndpoint()
        {
        }
    }

    /// <summary>Tags every check registered through it as a readiness check.</summary>
    private sealed class TaggingHealthChecksBuilder(IHealthChecksBuilder inner) : IHealthChecksBuilder
    {
        public IServiceCollection Services => inner.Services;

        public IHealthChecksBuilder Add(Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration registration)
        {
            registration.Tags.Add(ReadyTag);
            return inner.Add(registration);
        }
    }
}
