using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansChat.AppHost;

/// <summary>
/// The resources of the cluster. Silos and fronts are configured with the same environment variables as
/// deploy/local-cluster.sh and the images (deploy/README.md, "Settings"). Aspire.Hosting.Orleans is not used: it
/// configures Orleans through Orleans' own <c>Orleans:*</c> keys (clustering provider, ids, endpoints), which our
/// hosting does not read; it builds Orleans from <c>OrleansChat:Cluster</c>, with the failover settings validated there.
/// Aspire.Hosting.Redis is not used either: its Redis is a container, and this AppHost must run without a container
/// runtime.
/// </summary>
internal static class ChatClusterResources
{
    public const string ReadyPath = "/health/ready";
    public const string ManagementEndpoint = "management";

    private const string Cluster = "OrleansChat__Cluster__";

    /// <summary>
    /// The machine's redis-server, as local-cluster.sh runs it: an append-only file fsync'ed before every reply and no
    /// snapshots, so an acknowledged post is on disk (docs/reliability.md). Its folder is kept per port across runs,
    /// so history survives a restart of the AppHost.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddLocalRedis(this IDistributedApplicationBuilder builder, int port)
    {
        var data = Path.Combine(Path.GetTempPath(), "orleans-chat-apphost", $"redis-{port}");
        Directory.CreateDirectory(data);
        var check = $"redis-{port}-ping";
        builder.Services.AddHealthChecks().AddCheck(check, new RedisPingCheck(port));
        return builder.AddExecutable("redis", "redis-server", data,
                "--port", Text(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--dir", data)
            .WithEndpoint(name: "tcp", port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithHealthCheck(check);
    }

    public static IResourceBuilder<ProjectResource> AddSilo(
        this IDistributedApplicationBuilder builder, ProcessPorts ports, IResourceBuilder<ExecutableResource> redis) =>
        builder.AddProject<Projects.Silo>(ports.Name, launchProfileName: null)
            .WithChatProcess(ports, redis)
            .WithEndpoint(name: "orleans-silo", port: ports.Silo, targetPort: ports.Silo, scheme: "tcp", isProxied: false)
            .WithEndpoint(name: "orleans-gateway", port: ports.Gateway, targetPort: ports.Gateway, scheme: "tcp", isProxied: false)
            .WithEnvironment(Cluster + "SiloPort", Text(ports.Silo))
            .WithEnvironment(Cluster + "GatewayPort", Text(ports.Gateway))
            .WaitFor(redis);

    /// <summary>A front is an Orleans client: it finds the silos' gateways in the Redis membership table.</summary>
    public static IResourceBuilder<ProjectResource> AddFront(
        this IDistributedApplicationBuilder builder, ProcessPorts ports, IResourceBuilder<ExecutableResource> redis,
        IEnumerable<IResourceBuilder<ProjectResource>> silos)
    {
        var front = builder.AddProject<Projects.WebFront>(ports.Name, launchProfileName: null).WithChatProcess(ports, redis);
        foreach (var silo in silos)
        {
            front.WaitFor(silo);
        }

        return front;
    }

    /// <summary>What every silo and front shares: Redis mode, one address, its HTTP and management ports.</summary>
    private static IResourceBuilder<ProjectResource> WithChatProcess(
        this IResourceBuilder<ProjectResource> process, ProcessPorts ports, IResourceBuilder<ExecutableResource> redis) =>
        process
            // Not proxied: each process listens on its own port itself, as under local-cluster.sh, so a front's
            // address is the front and a WebSocket goes straight to it.
            .WithHttpEndpoint(name: "http", port: ports.Http, targetPort: ports.Http, isProxied: false)
            .WithHttpEndpoint(name: ManagementEndpoint, port: ports.Management, targetPort: ports.Management, isProxied: false)
            // Set here rather than derived by Aspire from the endpoints, which would add the management port too: the
            // process adds that one itself when OrleansChat__Management__Port is set.
            .WithEnvironment("ASPNETCORE_URLS", $"http://127.0.0.1:{Text(ports.Http)}")
            // Health, readiness and metrics (and the silos' other operator pages) answer on this port only.
            .WithEnvironment("OrleansChat__Management__Port", Text(ports.Management))
            .WithEnvironment(Cluster + "Mode", "Redis")
            .WithEnvironment(Cluster + "RedisConnectionString",
                ReferenceExpression.Create($"127.0.0.1:{redis.GetEndpoint("tcp").Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment(Cluster + "AdvertisedAddress", "127.0.0.1")
            .WithHttpHealthCheck(ReadyPath, endpointName: ManagementEndpoint);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
