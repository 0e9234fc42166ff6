using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansChat.AppHost;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Unit.Deploy;

/// <summary>
/// deploy/AppHost's model, built by running its Program up to <c>Build</c> and starting nothing: the resources
/// local-cluster.sh starts, the ports each gets, and the settings the processes read. Starting it takes a minute on
/// two cores (deploy/README.md), which is no unit test.
/// </summary>
public sealed partial class DeployArtifactsTests
{
    private static readonly string[] SiloNames = ["silo1", "silo2"];
    private static readonly string[] FrontNames = ["front1", "front2"];

    [Fact]
    public async Task AppHost_runs_redis_two_silos_and_two_fronts()
    {
        var model = await AppHostModel.BuildAsync();

        // Aspire adds a hidden "rebuilder" executable per project; ours are the plain ones.
        var redis = Assert.Single(model.Resources.OfType<ExecutableResource>(), r => r.GetType() == typeof(ExecutableResource));
        Assert.Equal("redis-server", redis.Command);
        Assert.Equal(SiloNames, model.Projects.Where(p => p.Project.EndsWith("Silo.csproj", StringComparison.Ordinal)).Select(p => p.Resource.Name));
        Assert.Equal(FrontNames, model.Projects.Where(p => p.Project.EndsWith("WebFront.csproj", StringComparison.Ordinal)).Select(p => p.Resource.Name));
    }

    [Fact]
    public async Task AppHost_gives_every_process_ports_of_its_own_that_it_listens_on_itself()
    {
        var model = await AppHostModel.BuildAsync();

        var endpoints = model.Resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()).ToList();

        Assert.Equal(4 * 2 + 2 * 2 + 1, endpoints.Count);
        Assert.Equal(endpoints.Count, endpoints.Select(e => e.Port).Distinct().Count());
        Assert.All(endpoints, e => Assert.False(e.IsProxied, $"{e.Name} is proxied"));
        Assert.All(endpoints, e => Assert.Equal(e.Port, e.TargetPort));
        foreach (var (resource, _) in model.Projects)
        {
            var env = await model.EnvironmentAsync(resource);
            Assert.Equal($"http://127.0.0.1:{Endpoint(resource, "http").Port}", env["ASPNETCORE_URLS"]);
            Assert.Equal($"{Endpoint(resource, ChatClusterResources.ManagementEndpoint).Port}", env["OrleansChat__Management__Port"]);
        }

        foreach (var name in SiloNames)
        {
            var silo = model.Project(name);
            var env = await model.EnvironmentAsync(silo);
            Assert.Equal($"{Endpoint(silo, "orleans-silo").Port}", env[SettingPrefix + nameof(ChatClusterOptions.SiloPort)]);
            Assert.Equal($"{Endpoint(silo, "orleans-gateway").Port}", env[SettingPrefix + nameof(ChatClusterOptions.GatewayPort)]);
        }
    }

    [Fact]
    public async Task AppHost_uses_the_ports_of_local_cluster_and_moves_them_all_by_the_offset()
    {
        var standard = await AppHostModel.BuildAsync();
        var moved = await AppHostModel.BuildAsync("--" + ClusterLayout.PortOffsetKey, "100");

        Assert.Equal(8881, Endpoint(standard.Project("front1"), "http").Port);
        Assert.Equal(8884, Endpoint(standard.Project("front2"), "http").Port);
        Assert.Equal(11111, Endpoint(standard.Project("silo1"), "orleans-silo").Port);
        Assert.Equal(30001, Endpoint(standard.Project("silo2"), "orleans-gateway").Port);
        foreach (var (resource, _) in standard.Projects)
        {
            Assert.All(resource.Annotations.OfType<EndpointAnnotation>(), e =>
                Assert.Equal(e.Port + 100, Endpoint(moved.Project(resource.Name), e.Name).Port));
        }
    }

    [Fact]
    public async Task AppHost_runs_silos_and_fronts_in_redis_mode_on_its_own_redis_that_fsyncs_every_write()
    {
        var model = await AppHostModel.BuildAsync();
        var redis = model.Redis;
        var arguments = (await model.ConfigurationAsync(redis)).Arguments.Select(a => a.Value).ToList();
        var port = Endpoint(redis, "tcp").Port;

        AssertFsyncsEveryWrite(arguments);
        Assert.Equal($"{port}", Flag(arguments, "--port"));
        Assert.Equal("", Flag(arguments, "--save"));
        foreach (var (resource, _) in model.Projects)
        {
            var env = await model.EnvironmentAsync(resource);
            Assert.Equal(nameof(ClusterMode.Redis), env[SettingPrefix + nameof(ChatClusterOptions.Mode)]);
            Assert.Equal($"127.0.0.1:{port}", env[SettingPrefix + nameof(ChatClusterOptions.RedisConnectionString)]);
            Assert.Equal("127.0.0.1", env[SettingPrefix + nameof(ChatClusterOptions.AdvertisedAddress)]);
        }
    }

    [Fact]
    public async Task AppHost_starts_silos_once_redis_answers_and_fronts_once_every_silo_is_ready()
    {
        var model = await AppHostModel.BuildAsync();
        var redis = model.Redis;

        Assert.Equal(ChatOperationsExtensions.ReadyPath, ChatClusterResources.ReadyPath);
        Assert.Contains(redis.Annotations, a => a is HealthCheckAnnotation);
        foreach (var name in SiloNames)
        {
            Assert.Equal([redis.Name], WaitsFor(model.Project(name)));
            Assert.Contains(model.Project(name).Annotations, a => a is HealthCheckAnnotation);
        }

        foreach (var name in FrontNames)
        {
            Assert.Equal(SiloNames, WaitsFor(model.Project(name)).Order(StringComparer.Ordinal));
            Assert.Contains(model.Project(name).Annotations, a => a is HealthCheckAnnotation);
        }
    }

    private static EndpointAnnotation Endpoint(IResource resource, string name) =>
        resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == name);

    private static IEnumerable<string> WaitsFor(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);

    /// <summary>The AppHost's resources, from its own Program run by Aspire's testing builder up to <c>Build</c>.</summary>
    private sealed class AppHostModel(IReadOnlyList<IResource> resources, DistributedApplicationExecutionContext context)
    {
        public IReadOnlyList<IResource> Resources { get; } = resources;

        public ExecutableResource Redis => Resources.OfType<ExecutableResource>().Single(r => r.Name == "redis");

        /// <summary>Each project resource with the path of the project it runs.</summary>
        public IEnumerable<(ProjectResource Resource, string Project)> Projects =>
            Resources.OfType<ProjectResource>().Select(p => (p, p.GetProjectMetadata().ProjectPath));

        public static async Task<AppHostModel> BuildAsync(params string[] args)
        {
            var entryPoint = typeof(ClusterLayout).Assembly.EntryPoint!.DeclaringType!;
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync(entryPoint, args);
            return new AppHostModel(builder.Resources.ToList(), builder.ExecutionContext);
        }

        public ProjectResource Project(string name) => Resources.OfType<ProjectResource>().Single(p => p.Name == name);

        /// <summary>The environment the process would start with, as far as the AppHost sets it.</summary>
        public async Task<Dictionary<string, string>> EnvironmentAsync(IResource resource) =>
            (await ConfigurationAsync(resource)).EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value);

        public Task<IExecutionConfigurationResult> ConfigurationAsync(IResource resource) =>
            ExecutionConfigurationBuilder.Create(resource).WithArgumentsConfig().WithEnvironmentVariablesConfig()
                .BuildAsync(context, NullLogger.Instance, CancellationToken.None);
    }
}
