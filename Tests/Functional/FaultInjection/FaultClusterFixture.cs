using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Storage;
using OrleansChat.Hosting;
using OrleansChat.Tests.Functional.Grains;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>
/// The chat's own silo wiring with faults a test can switch on: the history storage behind a
/// <see cref="RecordingGrainStorage"/> (writes that hang, fail or conflict) and the stream provider's queue behind
/// <see cref="StreamPublishFaults"/>. Callers give up after <see cref="CallTimeout"/>, as a front's call attempt does.
/// </summary>
public sealed class FaultClusterFixture : IAsyncLifetime
{
    /// <summary>The front's own attempt timeout (<c>GrainCallAttemptTimeout</c>), so a hung write outlasts a call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    public TestCluster Cluster { get; } = new TestClusterBuilder(1)
        .AddSiloBuilderConfigurator<SiloConfigurator>()
        .AddClientBuilderConfigurator<ClientConfigurator>()
        .Build();

    public IGrainFactory Grains => Cluster.Client;

    public RecordingGrainStorage History => Services.GetRequiredKeyedService<IGrainStorage>(ChatStorage.History) as RecordingGrainStorage
        ?? throw new InvalidOperationException("The history storage is not the recording one.");

    public StreamPublishFaults Publish => Services.GetRequiredService<StreamPublishFaults>();

    private IServiceProvider Services => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services;

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Subscribes to a room's stream and collects what it carries.</summary>
    public Task<Inbox<RoomEvent>> ListenAsync(string room) => Cluster.Client.ListenAsync(room);

    /// <summary>Takes every fault away, so one test's switches cannot reach the next.</summary>
    public void Heal()
    {
        History.HoldWrite = (_, _) => null;
        History.FailWrite = (_, _) => false;
        History.ConflictWrite = (_, _) => false;
        Publish.Fail = _ => false;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddOrleansChatGrains(new ChatClusterOptions().StreamPollInterval);
            var services = siloBuilder.Services;
            RecordingGrainStorage.Wrap(services, ChatStorage.History);
            services.AddSingleton<StreamPublishFaults>();
            services.AddSingleton<IIncomingGrainCallFilter>(p => p.GetRequiredService<StreamPublishFaults>());
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.AddMemoryStreams(ChatStreams.ProviderName);
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = CallTimeout);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FaultClusterCollection : ICollectionFixture<FaultClusterFixture>
{
    public const string Name = "fault cluster";
}
