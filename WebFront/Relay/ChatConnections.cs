using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace OrleansChat.WebFront.Relay;

/// <summary>The hub connections open on this front, each with its <see cref="ConnectionOutbox"/>.</summary>
public sealed class ChatConnections(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ConnectionOutbox> _open = new(StringComparer.Ordinal);

    public ICollection<ConnectionOutbox> Open => _open.Values;

    public ConnectionOutbox? Find(string connectionId) => _open.GetValueOrDefault(connectionId);

    internal void Add(HubConnectionContext connection) =>
        _open[connection.ConnectionId] = new ConnectionOutbox(connection, time);

    internal void Remove(HubConnectionContext connection) => _open.TryRemove(connection.ConnectionId, out _);
}
