using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansChat.Tests.Support;

/// <summary>
/// Grain storage in a dictionary, for testing code that stores through a provider without a silo: states are
/// copied through the Orleans serializer, as the chat's memory storage does, and ETags are checked.
/// </summary>
public sealed class DictionaryGrainStorage(Serializer serializer) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string, GrainId), (byte[] Data, string ETag)> _records = new();

    public int Count => _records.Count;

    public bool Contains(string stateName, GrainId grainId) => _records.ContainsKey((stateName, grainId));

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_records.TryGetValue((stateName, grainId), out var record))
        {
            grainState.State = serializer.Deserialize<T>(record.Data);
            (grainState.ETag, grainState.RecordExists) = (record.ETag, true);
        }
        else
        {
            (grainState.ETag, grainState.RecordExists) = (null, false);
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = Guid.NewGuid().ToString("N");
        var data = serializer.SerializeToArray(grainState.State);
        var key = (stateName, grainId);
        var stored = grainState.ETag is null
            ? _records.TryAdd(key, (data, etag))
            : _records.TryGetValue(key, out var current) && current.ETag == grainState.ETag
                && _records.TryUpdate(key, (data, etag), current);
        if (!stored)
        {
            throw new InconsistentStateException($"ETag mismatch writing {stateName} of {grainId}.");
        }

        (grainState.ETag, grainState.RecordExists) = (etag, true);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _records.TryRemove((stateName, grainId), out _);
        (grainState.ETag, grainState.RecordExists) = (null, false);
        return Task.CompletedTask;
    }
}
