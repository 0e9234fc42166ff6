using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Rooms;
using OrleansChat.Grains.Storage;
using OrleansChat.Hosting;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// A cluster for rooms of thousands: the chat's own silo wiring with a member limit that big rooms stay under, and
/// the presence storage (the production memory storage) behind a <see cref="RecordingGrainStorage"/> so that tests
/// can see what each change wrote.
/// </summary>
public sealed class MembershipClusterFixture : IAsyncLifetime
{
    public const int MaxMembersPerRoom = 10_000;

    public TestCluster Cluster { get; } = new TestClusterBuilder(1)
        .AddSiloBuilderConfigurator<SiloConfigurator>()
        .AddClientBuilderConfigurator<ClientConfigurator>()
        .Build();

    public IGrainFactory Grains => Cluster.Client;

    public RecordingGrainStorage Presence => RecordingGrainStorage.Of(Cluster, ChatStorage.Presence);

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddOrleansChatGrains(new ChatClusterOptions().StreamPollInterval);
            siloBuilder.Services.Configure<ChatRoomOptions>(o => o.MaxMembersPerRoom = MaxMembersPerRoom);
            RecordingGrainStorage.Wrap(siloBuilder.Services, ChatStorage.Presence);
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(ChatStreams.ProviderName);
    }
}

[CollectionDefinition(Name)]
public sealed class MembershipClusterCollection : ICollectionFixture<MembershipClusterFixture>
{
    public const string Name = "membership cluster";
}
