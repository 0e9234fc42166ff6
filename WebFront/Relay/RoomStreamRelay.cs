using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Carries room events from Orleans to this front's browsers. A connection joins a room and leaves it; the relay
/// subscribes to a room's stream once per process while the room has connections here (<see cref="RoomFeed"/>), and
/// writes each event to them without waiting for any one of them (<see cref="ConnectionOutbox"/>). A connection
/// that falls too far behind is dropped; it can resume.
/// </summary>
public sealed partial class RoomStreamRelay
{
    private readonly Dictionary<string, RoomFeed> _rooms = new(StringComparer.Ordinal);
    private readonly RelayServices _services;
    private readonly ChatConnections _connections;
    private readonly ILogger<RoomStreamRelay> _logger;

    public RoomStreamRelay(
        IClusterClient cluster,
        ChatConnections connections,
        RoomRemovals removals,
        SlowConsumers slowConsumers,
        IOptions<ChatFrontOptions> front,
        IOptions<ChatLimitsOptions> limits,
        IOptions<RoomJoinOptions> join,
        ChatMetrics metrics,
        TimeProvider time,
        ILogger<RoomStreamRelay> logger)
    {
        _services = new RelayServices(cluster, removals, slowConsumers, front.Value, limits.Value, join.Value, metrics, time, logger);
        _connections = connections;
        _logger = logger;
    }

    /// <summary>
    /// Starts sending a room to a connection and returns what the connection has not seen: with a position in the
    /// current epoch and a small enough gap, exactly the missed messages; otherwise the latest ones. Joining again
    /// only reads again.
    /// </summary>
    /// <param name="joined">Runs, without throwing, before any event of the room reaches the connection (<see cref="RoomFeed.JoinAsync"/>).</param>
    public Task<RoomHistorySlice> JoinAsync(string room, string connectionId, RoomPosition? position, Func<RoomHistorySlice, Task>? joined = null)
    {
        var connection = _connections.Find(connectionId)
            ?? throw new InvalidOperationException($"Connection {connectionId} is not open on this front.");
        return Feed(room).JoinAsync(connection, position, joined);
    }

    /// <summary>Stops sending a room to a connection. Leaving a room the connection is not in does nothing.</summary>
    public Task LeaveAsync(string room, string connectionId) => Feed(room).LeaveAsync(connectionId);

    /// <summary>
    /// A connection closed: every room's feed that took it in lets it go, including a join its hub call gave up on
    /// but that finished later, so no closed connection keeps a room subscribed.
    /// </summary>
    public async Task LeaveAllAsync(ConnectionOutbox connection)
    {
        foreach (var room in connection.Rooms)
        {
            await Feed(room).LeaveAsync(connection.ConnectionId);
        }
    }

    /// <summary>
    /// Brings every room up to date from history. Stream events can be lost when a silo dies (they sat in its queue);
    /// a later message would reveal the gap, but the last ones before a quiet spell would wait for it, so this runs
    /// on a period and when the gateways change (<paramref name="gatewaysChanged"/>: everything the room has stored).
    /// </summary>
    public async Task CatchUpAllAsync(bool gatewaysChanged)
    {
        List<RoomFeed> feeds;
        lock (_rooms)
        {
            feeds = [.. _rooms.Values];
        }

        foreach (var feed in feeds)
        {
            try
            {
                await feed.CatchUpAsync(gatewaysChanged);
            }
            catch (Exception ex)
            {
                LogCatchUpFailed(ex, feed.Room);
            }
        }
    }

    /// <summary>The last message of the room this front handed out (0 when none): a post carries it to the room.</summary>
    public long SeenSeq(string room)
    {
        lock (_rooms)
        {
            return _rooms.TryGetValue(room, out var feed) ? feed.SeenSeq : 0;
        }
    }

    /// <summary>
    /// The room's epoch and the last message this front handed out in it, while it relays the room: a bound on what
    /// any of its connections can have seen, known without asking the room.
    /// </summary>
    public (string Epoch, long LastSeq)? Seen(string room)
    {
        lock (_rooms)
        {
            return _rooms.TryGetValue(room, out var feed) ? feed.Seen : null;
        }
    }

    /// <summary>Announces that a member is typing. Straight onto the stream: typing is never stored.</summary>
    public Task PublishTypingAsync(string room, string nickname) =>
        _services.StreamOf(room).OnNextAsync(new MemberTyping(room, _services.Time.GetUtcNow(), nickname));

    private RoomFeed Feed(string room)
    {
        lock (_rooms)
        {
            if (!_rooms.TryGetValue(room, out var feed))
            {
                feed = new RoomFeed(room, _services);
                _rooms.Add(room, feed);
            }

            return feed;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catching up room {Room} failed")]
    private partial void LogCatchUpFailed(Exception exception, string room);
}
