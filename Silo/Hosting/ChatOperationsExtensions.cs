using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Hosting;

/// <summary>What an operator needs from every chat process: health endpoints and Prometheus metrics.</summary>
public static class ChatOperationsExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/admin/metrics";

    private const string ReadyTag = "ready";

    private const int MetricCardinalityLimit = 256;

    /// <summary>Health checks (those added by <paramref name="readiness"/> decide readiness) and metrics.</summary>
    public static IHostApplicationBuilder AddChatOperations(
        this IHostApplicationBuilder builder, Action<IHealthChecksBuilder> readiness, params string[] meters)
    {
        var checks = builder.Services.AddHealthChecks();
        readiness(new TaggingHealthChecksBuilder(checks));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter([.. meters, RoomMetrics.MeterName, "Microsoft.Orleans"])
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            // Every metric stream preallocates room for its tag combinations, and OpenTelemetry's default is far more
            // than any of ours has (methods, status codes, grain types): bench/README.md, "Settings chosen by
            // measurement".
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit })
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>Live: the process answers. Ready: it can serve (its checks pass). Metrics: Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapChatOperations(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
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
