using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Carries a user's events (a read position that moved on one device, a room joined or left on another) from Orleans
/// to every connection of that user on this front. The front subscribes to a user's stream while it holds a connection of the user (<see cref="UserFeed"/>):
/// however many connections a user has, here and on other fronts, each front holding one subscribes once, and
/// each of its connections of the user gets every event.
/// </summary>
public sealed partial class UserStreamRelay(
    IClusterClient cluster,
    ChatConnections connections,
    ConnectedUsers users,
    ISessionRoomsListener rooms,
    IOptions<ChatLimitsOptions> limits,
    ILogger<UserStreamRelay> logger)
{
    private readonly Dictionary<string, UserFeed> _users = new(StringComparer.Ordinal);

    /// <summary>Sends the user's events to a connection from now on (subscribing for the user's first here).</summary>
    public async Task AddAsync(string user, string connectionId)
    {
        while (!await FeedOf(user).AddAsync(connectionId))
        {
            // The feed was let go between the lookup and the add: the next lookup makes a new one.
        }

        // A connection that closed while it was being added has already been removed, or never will be: remove it.
        if (connections.Find(connectionId) is null)
        {
            await RemoveAsync(user, connectionId);
        }
    }

    /// <summary>Stops sending the user's events to a connection; the user's last connection here unsubscribes.</summary>
    public async Task RemoveAsync(string user, string connectionId)
    {
        UserFeed? feed;
        lock (_users)
        {
            feed = _users.GetValueOrDefault(user);
        }

        if (feed is not null)
        {
            await feed.RemoveAsync(connectionId, () => Forget(user, feed));
        }
    }

    /// <summary>
    /// The latest change to the user's rooms this front heard while it held the user's stream: a connection that
    /// subscribed before it took its session compares it with what the session told it.
    /// </summary>
    public SessionRoomsChanged? LatestRooms(string user)
    {
        lock (_users)
        {
            return _users.GetValueOrDefault(user)?.LatestRooms;
        }
    }

    /// <summary>How many users this front holds a stream subscription for.</summary>
    public int Subscribed
    {
        get
        {
            lock (_users)
            {
                return _users.Count;
            }
        }
    }

    private UserFeed FeedOf(string user)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(user, out var feed))
            {
                var stream = cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<UserEvent>(ChatStreams.ForUser(user));
                feed = new UserFeed(user, stream, connections, users, rooms, limits.Value.SlowConsumerMaxPending, logger);
                _users.Add(user, feed);
            }

            return feed;
        }
    }

    private void Forget(string user, UserFeed feed)
    {
        lock (_users)
        {
            if (_users.GetValueOrDefault(user) == feed)
            {
                _users.Remove(user);
            }
        }
    }
}
