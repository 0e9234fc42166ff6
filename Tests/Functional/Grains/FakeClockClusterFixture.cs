using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansChat.Grains.Rooms;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// The chat's grains on a silo whose grains, and grain timers, run on a <see cref="FakeTimeProvider"/>: grace periods
/// and front leases end exactly when a test moves the clock, not when a busy machine gets round to it. Orleans' own
/// machinery (messaging, membership, directory, activation collection, stream polling) keeps the real clock, or the
/// silo would stand still.
/// </summary>
public sealed class FakeClockClusterFixture : IAsyncLifetime
{
    /// <summary>Long, so that only the fake clock can end it during a test.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    public TestCluster Cluster { get; } = new TestClusterBuilder(1).AddSiloBuilderConfigurator<SiloConfigurator>().Build();

    public IGrainFactory Grains => Cluster.Client;

    public FakeTimeProvider Clock =>
        (FakeTimeProvider)((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<TimeProvider>();

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var clock = new FakeTimeProvider();
            // The grains take the unkeyed clock; Orleans resolves each of its areas' clocks by key, falling back to
            // any key. Registered before the chat's TryAddSingleton(TimeProvider.System), so these win.
            siloBuilder.Services.AddSingleton<TimeProvider>(clock);
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(KeyedService.AnyKey, TimeProvider.System);
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, clock);
            siloBuilder.AddOrleansChatGrains(new ChatClusterOptions().StreamPollInterval);
            siloBuilder.Services.Configure<ChatRoomOptions>(o => o.ReconnectGrace = Grace);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FakeClockClusterCollection : ICollectionFixture<FakeClockClusterFixture>
{
    public const string Name = "fake clock cluster";
}
