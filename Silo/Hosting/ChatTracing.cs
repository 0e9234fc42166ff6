using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using OrleansChat.Grains.Rooms;
using OrleansChat.Hosting.Internal;

namespace OrleansChat.Hosting;

/// <summary>
/// Traces over OTLP, on only when the standard variables name a collector (<see cref="EndpointVariable"/> or
/// <see cref="TracesEndpointVariable"/>). Off, nothing is registered: no tracer provider listens, so every
/// <c>ActivitySource.StartActivity</c> returns null, and Orleans' call filters are not added either.
/// </summary>
public static class ChatTracing
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string TracesProtocolVariable = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";

    /// <summary>The share of traces kept (0 to 1), as <c>parentbased_traceidratio</c> reads it; all when unset.</summary>
    public const string SamplerArgumentVariable = "OTEL_TRACES_SAMPLER_ARG";

    /// <summary>ASP.NET Core's hub invocations: the span a <c>chat.send</c> sits in.</summary>
    private const string SignalRSource = "Microsoft.AspNetCore.SignalR.Server";

    /// <summary>Whether this process exports traces: a collector is named by the environment (or configuration).</summary>
    public static bool IsEnabled(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[EndpointVariable]) || !string.IsNullOrWhiteSpace(configuration[TracesEndpointVariable]);

    /// <summary>
    /// Orleans' grain-call spans, which also carry the trace from caller to grain. Off without a collector: the
    /// filters run on every call.
    /// </summary>
    public static ISiloBuilder AddChatTracing(this ISiloBuilder silo, IConfiguration configuration) =>
        IsEnabled(configuration) ? silo.AddActivityPropagation() : silo;

    /// <inheritdoc cref="AddChatTracing(ISiloBuilder, IConfiguration)"/>
    public static IClientBuilder AddChatTracing(this IClientBuilder client, IConfiguration configuration) =>
        IsEnabled(configuration) ? client.AddActivityPropagation() : client;

    /// <summary>
    /// The tracer provider, when <see cref="IsEnabled"/>: ASP.NET Core's requests and hub invocations, Orleans' grain
    /// calls, and the chat's own spans (<paramref name="sources"/> and the rooms'), exported over OTLP as the
    /// standard variables say (endpoint, protocol, headers, batch delay). Named <c>OTEL_SERVICE_NAME</c>, or
    /// <paramref name="serviceName"/>.
    /// </summary>
    internal static void AddChatTracing(this IHostApplicationBuilder builder, string serviceName, string[] sources)
    {
        var configuration = builder.Configuration;
        if (!IsEnabled(configuration))
        {
            return;
        }

        var ratio = double.TryParse(configuration[SamplerArgumentVariable], NumberStyles.Float, CultureInfo.InvariantCulture, out var r)
            ? Math.Clamp(r, 0, 1)
            : 1;
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .ConfigureResource(resource => resource.AddService(
                configuration[ServiceNameVariable] is { Length: > 0 } name ? name : serviceName))
            .SetSampler(new ParentBasedSampler(new RequestRootSampler(ratio)))
            .AddAspNetCoreInstrumentation()
            .AddSource([
                .. sources,
                RoomActivities.SourceName,
                SignalRSource,
                ActivitySources.ApplicationGrainActivitySourceName,
                ActivitySources.RuntimeActivitySourceName,
                ActivitySources.StorageActivitySourceName,
            ])
            .AddOtlpExporter(otlp => ApplyTracesVariables(otlp, configuration)));
    }

    /// <summary>
    /// The per-signal variables, which take precedence over the general ones: the traces endpoint is used as given
    /// (the general one gets <c>/v1/traces</c> appended for http/protobuf).
    /// </summary>
    private static void ApplyTracesVariables(OtlpExporterOptions otlp, IConfiguration configuration)
    {
        if (configuration[TracesProtocolVariable] is { Length: > 0 } protocol)
        {
            otlp.Protocol = protocol.Trim().ToLowerInvariant() switch
            {
                "grpc" => OtlpExportProtocol.Grpc,
                "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
                _ => throw new InvalidOperationException($"{TracesProtocolVariable}: '{protocol}' is not grpc or http/protobuf."),
            };
        }

        if (configuration[TracesEndpointVariable] is { Length: > 0 } endpoint)
        {
            otlp.Endpoint = new Uri(endpoint);
        }
    }
}
