using System.Buffers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// One room's events on their way to this front's connections in the room. Events are added, then written out
/// together: each connection gets every event added since the last write in <b>one</b> write, serialised once per
/// protocol. A write is a lock, a flush and, once the transport sends it, a system call; under load the relay drains
/// many events at once, so a connection's events leave in one frame of the socket instead of one each, which is
/// where a busy room's CPU goes. Not thread-safe: the relay uses it under the room's gate.
/// </summary>
public sealed class RoomFanOut
{
    private readonly List<HubMessage> _events = [];

    /// <summary>This front's connections in the room, by connection id.</summary>
    public Dictionary<string, ConnectionOutbox> Members { get; } = new(StringComparer.Ordinal);

    public bool IsEmpty => _events.Count == 0;

    public void Add(string method, object argument) => _events.Add(new InvocationMessage(method, [argument]));

    /// <summary>
    /// Writes the added events to every member, in the order they were added, and forgets them. A member already
    /// <paramref name="maxPending"/> events behind is taken out of the room's members and returned, for the caller
    /// to drop.
    /// </summary>
    public IReadOnlyList<ConnectionOutbox> WriteOut(int maxPending)
    {
        if (_events.Count == 0)
        {
            return [];
        }

        var count = _events.Count;
        SerializedHubMessage? single = count == 1 ? new SerializedHubMessage(_events[0]) : null;
        Dictionary<string, SerializedHubMessage>? combined = null;
        List<ConnectionOutbox>? behind = null;
        try
        {
            foreach (var outbox in Members.Values)
            {
                var message = single ?? Combined(outbox.Protocol, ref combined);
                if (!outbox.TrySend(message, count, maxPending))
                {
                    (behind ??= []).Add(outbox);
                }
            }
        }
        finally
        {
            // Written or not, never again: a second write would double what some connections already have.
            _events.Clear();
        }

        foreach (var outbox in behind ?? [])
        {
            Members.Remove(outbox.ConnectionId);
        }

        return behind ?? (IReadOnlyList<ConnectionOutbox>)[];
    }

    /// <summary>
    /// The events as one pre-serialised message for a protocol: SignalR's protocols frame each message themselves
    /// (a record separator, a length prefix), so frames written back to back are what the client would have read
    /// from separate writes.
    /// </summary>
    private SerializedHubMessage Combined(IHubProtocol protocol, ref Dictionary<string, SerializedHubMessage>? cache)
    {
        cache ??= new Dictionary<string, SerializedHubMessage>(1, StringComparer.Ordinal);
        if (!cache.TryGetValue(protocol.Name, out var message))
        {
            var buffer = new ArrayBufferWriter<byte>(_events.Count * 256);
            foreach (var hubMessage in _events)
            {
                protocol.WriteMessage(hubMessage, buffer);
            }

            message = new SerializedHubMessage([new SerializedMessage(protocol.Name, buffer.WrittenMemory)]);
            cache.Add(protocol.Name, message);
        }

        return message;
    }
}
