using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// The hub connections open on this front. When the cluster has taken this front for dead and evicted its sessions
/// although it lives, the front closes them all: their clients reconnect and take their sessions back (protocol §9),
/// instead of chatting on with sessions that no longer hold their rooms.
/// </summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new();

    public void Add(HubCallerContext context) => _connections[context.ConnectionId] = context;

    public void Remove(HubCallerContext context) => _connections.TryRemove(context.ConnectionId, out _);

    /// <summary>Drops every connection (not a clean close: each session waits for its client to resume).</summary>
    public int AbortAll()
    {
        var aborted = 0;
        foreach (var connection in _connections.Values)
        {
            connection.Abort();
            aborted++;
        }

        return aborted;
    }
}
