using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Support;

/// <summary>
/// Passes every call to another grain storage and remembers what each read and write touched, with the size the
/// write's state serializes to and the members it holds, so a test can tell what a change cost in storage. A test
/// can also make writes hang, fail or conflict, as a real store's do.
/// </summary>
public sealed class RecordingGrainStorage(IGrainStorage inner, Serializer serializer)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lock _gate = new();
    private readonly List<StorageWrite> _writes = [];
    private readonly List<(string StateName, GrainId GrainId)> _reads = [];

    /// <summary>Stops the next writes of a state with the given name, with a <see cref="StorageFailure"/>.</summary>
    public Func<string, GrainId, bool> FailWrite { get; set; } = (_, _) => false;

    /// <summary>
    /// Refuses the next writes of a state with the <see cref="InconsistentStateException"/> a store throws when its
    /// record's ETag moved on (another activation wrote it).
    /// </summary>
    public Func<string, GrainId, bool> ConflictWrite { get; set; } = (_, _) => false;

    /// <summary>
    /// Holds a write until the returned task completes (null: no hold), as a store that answers late does; a failure
    /// or conflict asked for is decided once the hold ends.
    /// </summary>
    public Func<string, GrainId, Task?> HoldWrite { get; set; } = (_, _) => null;

    /// <summary>Puts the grain storage a silo registered under <paramref name="name"/> behind a recorder.</summary>
    public static void Wrap(IServiceCollection services, string name)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name));
        services.Remove(registered);
        services.AddKeyedSingleton<IGrainStorage>(name, (provider, key) => new RecordingGrainStorage(
            (IGrainStorage)registered.KeyedImplementationFactory!(provider, key), provider.GetRequiredService<Serializer>()));
    }

    /// <summary>The recorder <see cref="Wrap"/> put in place on a test cluster's primary silo.</summary>
    public static RecordingGrainStorage Of(TestCluster cluster, string name) =>
        (RecordingGrainStorage)((InProcessSiloHandle)cluster.Primary!).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(name);

    public IReadOnlyList<StorageWrite> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    public int ReadsOf(GrainId grainId, string stateName)
    {
        lock (_gate)
        {
            return _reads.Count(r => r.GrainId == grainId && r.StateName == stateName);
        }
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_gate)
        {
            _reads.Add((stateName, grainId));
        }

        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (HoldWrite(stateName, grainId) is { } hold)
        {
            await hold;
        }

        if (ConflictWrite(stateName, grainId))
        {
            throw new InconsistentStateException(
                $"Writing {stateName} of {grainId} conflicted on purpose.", "stored-etag", grainState.ETag ?? "");
        }

        if (FailWrite(stateName, grainId))
        {
            throw new StorageFailure($"Writing {stateName} of {grainId} failed on purpose.");
        }

        await inner.WriteStateAsync(stateName, grainId, grainState);
        var write = new StorageWrite(
            stateName, grainId, serializer.SerializeToArray(grainState.State).Length, MembersIn(grainState.State));
        lock (_gate)
        {
            _writes.Add(write);
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) =>
        (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private static int MembersIn(object? state) => state switch
    {
        MemberPageState page => page.Slots.Count(s => s is not null),
        RoomMembersState all => all.Members.Count,
        _ => 0,
    };
}

/// <summary>One write: which record, how many bytes its state serializes to, and how many room members it holds.</summary>
public sealed record StorageWrite(string StateName, GrainId GrainId, int Bytes, int Members);

public sealed class StorageFailure(string message) : Exception(message);
