using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Rooms;
using OrleansChat.Grains.Storage;
using OrleansChat.Hosting;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>A real in-process Orleans cluster with the chat's own silo wiring.</summary>
public sealed class ChatClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(1)
        .AddSiloBuilderConfigurator<SiloConfigurator>()
        .AddClientBuilderConfigurator<ClientConfigurator>()
        .Build();

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>History storage (in memory, as in production without a data path), recorded: reads show reactivations.</summary>
    public RecordingGrainStorage History => RecordingGrainStorage.Of(Cluster, ChatStorage.History);

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Subscribes to a room's stream and collects what it carries.</summary>
    public Task<Inbox<RoomEvent>> ListenAsync(string room) => Cluster.Client.ListenAsync(room);

    /// <summary>Limits small enough to reach in a test; everything else as in production.</summary>
    public static readonly ChatRoomOptions Limits = new()
    {
        MaxMembersPerRoom = 5,
        MaxRoomsPerUser = 3,
        MaxConnectionsPerUser = 3,
        RetainMessages = 200,
        ReconnectGrace = TimeSpan.FromSeconds(1),
        ReadPositionWriteDelay = TimeSpan.FromSeconds(1),
    };

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddOrleansChatGrains(new ChatClusterOptions().StreamPollInterval);
            siloBuilder.Services.Configure<ChatRoomOptions>(o =>
            {
                o.MaxMembersPerRoom = Limits.MaxMembersPerRoom;
                o.MaxRoomsPerUser = Limits.MaxRoomsPerUser;
                o.MaxConnectionsPerUser = Limits.MaxConnectionsPerUser;
                o.RetainMessages = Limits.RetainMessages;
                o.ReconnectGrace = Limits.ReconnectGrace;
                o.ReadPositionWriteDelay = Limits.ReadPositionWriteDelay;
            });
            RecordingGrainStorage.Wrap(siloBuilder.Services, ChatStorage.History);
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(ChatStreams.ProviderName);
    }
}

[CollectionDefinition(Name)]
public sealed class ChatClusterCollection : ICollectionFixture<ChatClusterFixture>
{
    public const string Name = "chat cluster";
}
