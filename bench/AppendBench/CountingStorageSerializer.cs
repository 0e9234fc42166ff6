using Orleans.Storage;

namespace OrleansChat.Bench;

/// <summary>
/// Counts the bytes a memory grain storage writes: every state it stores passes through its serializer on the way.
/// </summary>
public sealed class CountingStorageSerializer(IGrainStorageSerializer inner) : IGrainStorageSerializer
{
    private long _written;

    /// <summary>Bytes of every state serialized so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    public BinaryData Serialize<T>(T? input)
    {
        var data = inner.Serialize(input);
        Interlocked.Add(ref _written, data.ToMemory().Length);
        return data;
    }

    public T? Deserialize<T>(BinaryData input) => inner.Deserialize<T>(input);
}
