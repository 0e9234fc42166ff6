using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansChat.Hosting.Internal;

/// <summary>
/// How chat state is stored in Redis: Orleans' binary serializer, which the memory storages already use because it is
/// much faster than the Newtonsoft.Json that Orleans' Redis storage defaults to. State written as JSON by an earlier
/// version is still read, with the JSON serializer that wrote it, and goes back in binary on the grain's next write,
/// so an upgrade needs no migration step and never misreads old data.
/// </summary>
/// <remarks>
/// JSON state always starts with <c>{</c>. Orleans' binary format starts with a field header whose top three bits are
/// the wire type, and <c>{</c> (0x7B) would be a fixed 32-bit field: never the start of a serialized object, so the two
/// formats cannot be confused.
/// </remarks>
internal sealed partial class RedisStateFormat(Serializer binary, OrleansJsonSerializer json, ILogger<RedisStateFormat> logger)
    : IGrainStorageSerializer
{
    private readonly OrleansGrainStorageSerializer _binary = new(binary);
    private readonly JsonGrainStorageSerializer _json = new(json);
    private readonly ConcurrentDictionary<Type, bool> _jsonSeen = new();

    public BinaryData Serialize<T>(T? value) => _binary.Serialize(value);

    public T? Deserialize<T>(BinaryData input)
    {
        if (!IsJson(input.ToMemory().Span))
        {
            return _binary.Deserialize<T>(input);
        }

        if (_jsonSeen.TryAdd(typeof(T), true))
        {
            LogJsonState(typeof(T).Name);
        }

        return _json.Deserialize<T>(input);
    }

    private static bool IsJson(ReadOnlySpan<byte> data) => data.Length > 0 && data[0] == (byte)'{';

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Read {StateType} stored as JSON by an earlier version; each such state is rewritten in Orleans' binary format on its grain's next write")]
    private partial void LogJsonState(string stateType);
}
