using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// One user as this front receives their stream: the subscription and the user's connections here. The first add
/// subscribes and the last remove unsubscribes, inside one turn of the user's gate, so the connections and the
/// subscription never get out of step; a feed whose last connection left is retired, and a later add makes a new one.
/// </summary>
internal sealed partial class UserFeed(
    string user,
    IAsyncStream<UserEvent> stream,
    ChatConnections connections,
    ConnectedUsers users,
    ISessionRoomsListener rooms,
    int maxPending,
    ILogger logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The connections that keep the subscription; only touched under the gate.</summary>
    private readonly HashSet<string> _connections = new(StringComparer.Ordinal);

    private StreamSubscriptionHandle<UserEvent>? _handle;
    private SessionRoomsChanged? _latestRooms;
    private bool _retired;

    /// <summary>Adds a connection, subscribing if the feed is not yet; false if the feed was retired meanwhile.</summary>
    public async Task<bool> AddAsync(string connectionId)
    {
        await _gate.WaitAsync();
        try
        {
            if (_retired)
            {
                return false;
            }

            _connections.Add(connectionId);

            if (_handle is null)
            {
                try
                {
                    _handle = await stream.SubscribeAsync((e, _) => DeliverAsync(e));
                }
                catch (Exception ex)
                {
                    // The user's other devices will not be heard from on this connection until another connection of
                    // the user here subscribes again; its own calls, and its joins' read positions, are not affected.
                    LogSubscribeFailed(ex, user);
                }
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a connection; the last one unsubscribes and retires the feed (<paramref name="retired"/>).</summary>
    public async Task RemoveAsync(string connectionId, Action retired)
    {
        await _gate.WaitAsync();
        try
        {
            _connections.Remove(connectionId);
            if (_connections.Count > 0 || _retired)
            {
                return;
            }

            _retired = true;
            retired();
            if (_handle is { } handle)
            {
                _handle = null;
                await handle.UnsubscribeAsync();
            }
        }
        catch (Exception ex)
        {
            LogUnsubscribeFailed(ex, user);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The latest change to the user's rooms this feed delivered, if any.</summary>
    public SessionRoomsChanged? LatestRooms => Volatile.Read(ref _latestRooms);

    private async Task DeliverAsync(UserEvent userEvent)
    {
        switch (userEvent)
        {
            case ReadPositionMoved moved:
                Deliver(moved);
                break;
            case SessionRoomsChanged change:
                if (change.Revision > (LatestRooms?.Revision ?? 0))
                {
                    Volatile.Write(ref _latestRooms, change);
                }

                try
                {
                    await rooms.RoomsChangedAsync(change);
                }
                catch (Exception ex)
                {
                    LogFollowFailed(ex, user, change.Room);
                }

                break;
        }
    }

    /// <summary>
    /// To the connections that hold the user's session here. Not to every connection this feed counts: one subscribes
    /// before its claim or resume is answered, and one that turns out to be a stranger's must hear nothing of the user.
    /// </summary>
    private void Deliver(ReadPositionMoved moved)
    {
        // Serialized once for all of them. A connection already far behind skips it: the room relay is about to drop
        // it, and its resume returns the position.
        var message = new SerializedHubMessage(
            new InvocationMessage(ChatEvents.ReadPosition, [new ReadPositionEvent(moved.Room, moved.Seq)]));
        foreach (var session in users.FindByKey(user))
        {
            connections.Find(session.ConnectionId)?.TrySend(message, events: 1, maxPending);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to the stream of user {User} failed: their other devices' read positions will not reach them here")]
    private partial void LogSubscribeFailed(Exception exception, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connections of user {User} here could not follow the user into or out of room {Room}; they do on their next resume")]
    private partial void LogFollowFailed(Exception exception, string user, string room);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing from the stream of user {User} failed")]
    private partial void LogUnsubscribeFailed(Exception exception, string user);
}
