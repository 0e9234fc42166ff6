using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// One connection's end of the relay's fan-out. A write normally completes at once (it lands in the connection's
/// buffer); one that does not is left to finish on its own, so a slow reader never holds up the room. SignalR
/// serves a connection's writes in call order, so every client still receives a room's events in order. What this
/// counts is how far the connection has fallen behind: the relay drops it past a bound, which keeps the memory a
/// reader that never reads can hold to that bound.
/// </summary>
public sealed class ConnectionOutbox(HubConnectionContext connection, TimeProvider time)
{
    /// <summary>
    /// The rooms whose feeds on this front have taken this connection in: what its close must leave, whatever the
    /// hub knew of. Feeds change it under their own gates, so it is locked; most connections are in one room.
    /// </summary>
    private readonly List<string> _rooms = new(1);

    private int _pending;
    private long _lastProgress = time.GetTimestamp();
    private int _dropped;

    /// <summary>Set in the connection's items when the front drops it: a drop, never the client leaving.</summary>
    public static readonly object DroppedItem = new();

    public string ConnectionId => connection.ConnectionId;

    /// <summary>The hub protocol the client chose: what a pre-serialised write must be in.</summary>
    public IHubProtocol Protocol => connection.Protocol;

    /// <summary>Events in writes started and not yet taken by the transport.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public bool Dropped => Volatile.Read(ref _dropped) != 0;

    /// <summary>
    /// Starts a write of <paramref name="events"/> events unless the connection is already
    /// <paramref name="maxPending"/> events behind.
    /// </summary>
    public bool TrySend(SerializedHubMessage message, int events, int maxPending)
    {
        if (Dropped)
        {
            return true;
        }

        if (Pending >= maxPending)
        {
            return false;
        }

        var write = connection.WriteAsync(message);
        if (write.IsCompleted)
        {
            Observe(write);
            return true;
        }

        if (Interlocked.Add(ref _pending, events) == events)
        {
            Volatile.Write(ref _lastProgress, time.GetTimestamp());
        }

        _ = CompleteAsync(write, events);
        return true;
    }

    /// <summary>True when writes have waited and none has completed for <paramref name="timeout"/>.</summary>
    public bool IsStalled(TimeSpan timeout) =>
        Pending > 0 && time.GetElapsedTime(Volatile.Read(ref _lastProgress)) > timeout;

    /// <summary>Closes the connection, once. The client sees a dropped connection and may resume.</summary>
    public bool Drop()
    {
        if (Interlocked.Exchange(ref _dropped, 1) != 0)
        {
            return false;
        }

        connection.Items[DroppedItem] = true;
        connection.Abort();
        return true;
    }

    public IReadOnlyList<string> Rooms
    {
        get
        {
            lock (_rooms)
            {
                return [.. _rooms];
            }
        }
    }

    public void Entered(string room)
    {
        lock (_rooms)
        {
            if (!_rooms.Contains(room))
            {
                _rooms.Add(room);
            }
        }
    }

    public void Exited(string room)
    {
        lock (_rooms)
        {
            _rooms.Remove(room);
        }
    }

    /// <summary>Refuses to go on with a connection that has closed.</summary>
    public void ThrowIfClosed() => connection.ConnectionAborted.ThrowIfCancellationRequested();

    /// <summary>Closes the connection on the front's initiative (a kick): not a drop, the client is not to resume.</summary>
    public void Close() => connection.Abort();

    /// <summary>
    /// Closes the connection with a reason the client reads, and tells SignalR clients not to reconnect: another
    /// connection holds the session now, and a reconnect would only take it back. The reason goes out before the
    /// abort, which would otherwise cut it off.
    /// </summary>
    public void Close(string reason) => _ = CloseAfterAsync(connection.WriteAsync(new CloseMessage(reason, allowReconnect: false)));

    private async Task CloseAfterAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            // The connection is already closing: the abort below finishes it all the same.
        }
        finally
        {
            connection.Abort();
        }
    }

    private async Task CompleteAsync(ValueTask write, int events)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            // The connection is closing; its own teardown reports why.
        }
        finally
        {
            Volatile.Write(ref _lastProgress, time.GetTimestamp());
            Interlocked.Add(ref _pending, -events);
        }
    }

    private static void Observe(ValueTask write)
    {
        try
        {
            write.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // As above: a write that failed at once belongs to a connection that is closing.
        }
    }
}
