using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// The hub connections open on this front, each with its <see cref="ConnectionOutbox"/>. When the cluster has taken
/// this front for dead and evicted its sessions although it lives, the front closes them all: their clients reconnect
/// and take their sessions back (protocol §9), instead of chatting on with sessions that no longer hold their rooms.
/// </summary>
public sealed class ChatConnections(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ConnectionOutbox> _open = new(StringComparer.Ordinal);

    public ICollection<ConnectionOutbox> Open => _open.Values;

    public ConnectionOutbox? Find(string connectionId) => _open.GetValueOrDefault(connectionId);

    /// <summary>Drops every connection (not a clean close: each session waits for its client to resume).</summary>
    public int AbortAll() => _open.Values.Count(outbox => outbox.Drop());

    internal void Add(HubConnectionContext connection) =>
        _open[connection.ConnectionId] = new ConnectionOutbox(connection, time);

    internal ConnectionOutbox? Remove(HubConnectionContext connection) =>
        _open.TryRemove(connection.ConnectionId, out var outbox) ? outbox : null;
}
