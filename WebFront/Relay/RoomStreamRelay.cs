using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using OrleansChat.Grains;
using OrleansChat.Grains.Events;
using OrleansChat.WebFront.Hubs;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Carries room events from Orleans to this front's browsers. It subscribes to a room's stream once per process,
/// while at least one local connection is in the room, and fans each event out to the room's local connections:
/// serialised once, written to each connection without waiting for the one before (see
/// <see cref="ConnectionOutbox"/>), so the cost of a message on the stream does not grow with the number of browsers
/// and one slow reader holds up no one. A connection that falls too far behind is dropped; it can resume.
/// </summary>
/// <remarks>
/// Per room it tracks the last sequence number handed to the room's connections. Everything up to it has been
/// written to every one of them exactly once; a connection that joins gets the rest of what it missed from history,
/// under the same lock, so nothing is lost or doubled at the seam. A hole in the stream's sequence (a lost event)
/// is filled from history before the next message goes out.
/// </remarks>
public sealed partial class RoomStreamRelay(
    IClusterClient cluster,
    ChatConnections connections,
    ConnectedUsers users,
    IOptions<ChatRoomOptions> options,
    IOptions<ChatLimitsOptions> limits,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger<RoomStreamRelay> logger)
{
    private readonly Dictionary<string, RoomFeed> _rooms = new(StringComparer.Ordinal);

    /// <summary>Makes sure this front receives the room's events; pair every call with <see cref="ReleaseAsync"/>.</summary>
    public async Task AcquireAsync(string room)
    {
        var feed = Feed(room);
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.References == 0)
            {
                feed.Handle = await StreamOf(room).SubscribeAsync((e, _) => RelayAsync(feed, e));
                try
                {
                    // After subscribing: whatever is published from now on is either before the seam (and
                    // dropped by the relay, joiners read it from history) or after it (and relayed).
                    var snapshot = await Room(room).GetSnapshot();
                    (feed.Epoch, feed.LastSeq) = (snapshot.Epoch, snapshot.LastSeq);
                    LogSubscribed(room, snapshot.LastSeq);
                }
                catch
                {
                    await feed.Handle.UnsubscribeAsync();
                    feed.Handle = null;
                    throw;
                }
            }

            feed.References++;
        }
        finally
        {
            feed.Gate.Release();
        }
    }

    /// <summary>
    /// Stops relaying the room to a connection, and drops this front's subscription once its last connection in the
    /// room is gone.
    /// </summary>
    public async Task ReleaseAsync(string room, string connectionId)
    {
        var feed = Feed(room);
        await feed.Gate.WaitAsync();
        try
        {
            feed.Members.Remove(connectionId);
            if (--feed.References == 0 && feed.Handle is { } handle)
            {
                feed.Handle = null;
                await handle.UnsubscribeAsync();
                LogUnsubscribed(room);
            }
        }
        finally
        {
            feed.Gate.Release();
        }
    }

    /// <summary>
    /// Adds a connection to the room's receivers and returns what it has not seen: with a position in the current
    /// epoch and a small enough gap, exactly the missed messages; otherwise the latest ones.
    /// </summary>
    public async Task<RoomHistorySlice> AttachAsync(string room, string connectionId, RoomPosition? position)
    {
        var settings = options.Value;
        var feed = Feed(room);
        await feed.Gate.WaitAsync();
        try
        {
            var upTo = feed.LastSeq;
            var canRecover = position is not null
                && position.Epoch == feed.Epoch
                && upTo - position.LastSeq <= settings.MaxRecoveryGap;
            MessageRange range;
            bool recovered;
            if (canRecover && position!.LastSeq >= upTo)
            {
                range = new MessageRange(feed.Epoch, 0, upTo, []);
                recovered = true;
            }
            else
            {
                var query = canRecover
                    ? new MessageQuery(position!.LastSeq + 1, upTo, settings.MaxRecoveryGap)
                    : new MessageQuery(1, upTo, settings.RecentOnJoin);
                range = await Room(room).GetMessages(query);
                recovered = canRecover && position!.LastSeq + 1 >= range.FirstSeq;
            }

            feed.Members[connectionId] = connections.Find(connectionId)
                ?? throw new InvalidOperationException($"Connection {connectionId} is not open on this front.");
            return new RoomHistorySlice(feed.Epoch, upTo, range.Messages.Select(ToBroadcast).ToList(), recovered);
        }
        finally
        {
            feed.Gate.Release();
        }
    }

    /// <summary>
    /// Brings every subscribed room up to the room's latest message. Stream events can be lost when a silo dies
    /// (they sat in its queue); a later message would reveal the gap, but the last ones before a quiet spell would
    /// wait for it, so this runs when the gateways change and on a period.
    /// </summary>
    public async Task CatchUpAllAsync()
    {
        List<(string Room, RoomFeed Feed)> feeds;
        lock (_rooms)
        {
            feeds = _rooms.Select(r => (r.Key, r.Value)).ToList();
        }

        foreach (var (room, feed) in feeds)
        {
            try
            {
                await CatchUpAsync(room, feed);
            }
            catch (Exception ex)
            {
                LogCatchUpFailed(ex, room);
            }
        }
    }

    /// <summary>Announces that a member is typing. Straight onto the stream: typing is never stored.</summary>
    public Task PublishTypingAsync(string room, string nickname) =>
        StreamOf(room).OnNextAsync(new MemberTyping(room, time.GetUtcNow(), nickname));

    public static BroadcastMessage ToBroadcast(MessagePosted m) => new(m.Text, m.Nickname, m.Id, m.Seq, m.Room, m.At);

    private async Task RelayAsync(RoomFeed feed, RoomEvent roomEvent)
    {
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.Handle is null)
            {
                return;
            }

            switch (roomEvent)
            {
                case MessagePosted message:
                    await RelayMessageAsync(feed, message);
                    break;
                case MemberJoined joined:
                    Announce(feed, joined.Room, joined.Nickname, "joined", ChatNotices.Joined);
                    break;
                case MemberLeft left:
                    Announce(feed, left.Room, left.Nickname, "left", ChatNotices.Left);
                    break;
                case MemberTyping typing:
                    FanOut(feed, ChatEvents.Typing, new TypingEvent(typing.Room, typing.Nickname));
                    break;
                case MemberRemoved removed:
                    // The removed member's connection stops receiving the room first: it hears why from
                    // ConnectedUsers, not the room's leave notice.
                    if (users.ConnectionOf(removed.Nickname) is { } connectionId)
                    {
                        feed.Members.Remove(connectionId);
                    }

                    Announce(feed, removed.Room, removed.Nickname, "left", ChatNotices.Left);
                    await users.RemovedAsync(removed);
                    break;
            }
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex, roomEvent.Room);
        }
        finally
        {
            feed.Gate.Release();
        }
    }

    private async Task CatchUpAsync(string room, RoomFeed feed)
    {
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.Handle is null)
            {
                return;
            }

            var snapshot = await Room(room).GetSnapshot();
            if (snapshot.LastSeq > feed.LastSeq)
            {
                await FillAsync(feed, room, snapshot.LastSeq);
            }
        }
        finally
        {
            feed.Gate.Release();
        }
    }

    private async Task RelayMessageAsync(RoomFeed feed, MessagePosted message)
    {
        if (message.Seq <= feed.LastSeq)
        {
            return;
        }

        if (message.Seq > feed.LastSeq + 1)
        {
            await FillAsync(feed, message.Room, message.Seq - 1);
        }

        Send(feed, message);
        feed.LastSeq = message.Seq;
    }

    /// <summary>Relays, from history, the messages after the seam up to <paramref name="upTo"/>.</summary>
    private async Task FillAsync(RoomFeed feed, string room, long upTo)
    {
        var missing = await Room(room).GetMessages(new MessageQuery(feed.LastSeq + 1, upTo, int.MaxValue));
        LogGapFilled(room, feed.LastSeq + 1, upTo, missing.Messages.Count);
        foreach (var earlier in missing.Messages)
        {
            Send(feed, earlier);
            feed.LastSeq = earlier.Seq;
        }

        feed.LastSeq = Math.Max(feed.LastSeq, upTo);
    }

    private void Send(RoomFeed feed, MessagePosted message)
    {
        FanOut(feed, ChatEvents.Broadcast, ToBroadcast(message));
        metrics.Relayed(time.GetUtcNow() - message.At);
    }

    private void Announce(RoomFeed feed, string room, string nickname, string kind, Func<string, string> notice)
    {
        if (room == ChatRules.DefaultRoom)
        {
            FanOut(feed, ChatEvents.Notice, notice(nickname));
        }

        FanOut(feed, ChatEvents.Presence, new PresenceEvent(room, nickname, kind));
    }

    /// <summary>
    /// Serialises the event once (per protocol, lazily) and starts its write to every connection in the room,
    /// dropping any connection already too far behind. Runs under the room's gate, so events keep their order.
    /// </summary>
    private void FanOut(RoomFeed feed, string method, object argument)
    {
        var message = new SerializedHubMessage(new InvocationMessage(method, [argument]));
        var maxPending = limits.Value.SlowConsumerMaxPending;
        List<ConnectionOutbox>? behind = null;
        foreach (var outbox in feed.Members.Values)
        {
            if (!outbox.TrySend(message, maxPending))
            {
                (behind ??= []).Add(outbox);
            }
        }

        foreach (var outbox in behind ?? [])
        {
            feed.Members.Remove(outbox.ConnectionId);
            if (outbox.Drop())
            {
                metrics.SlowConsumerDropped();
                LogSlowConsumerDropped(outbox.ConnectionId, outbox.Pending);
            }
        }
    }

    private RoomFeed Feed(string room)
    {
        lock (_rooms)
        {
            if (!_rooms.TryGetValue(room, out var feed))
            {
                feed = new RoomFeed();
                _rooms.Add(room, feed);
            }

            return feed;
        }
    }

    private IAsyncStream<RoomEvent> StreamOf(string room) =>
        cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomEvent>(ChatStreams.ForRoom(room));

    private IChatRoomGrain Room(string room) => cluster.GetGrain<IChatRoomGrain>(room);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribed to room {Room} at sequence {LastSeq}")]
    private partial void LogSubscribed(string room, long lastSeq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribed from room {Room}")]
    private partial void LogUnsubscribed(string room);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {Room}: messages {From}..{To} missing from the stream, {Found} read from history")]
    private partial void LogGapFilled(string room, long from, long to, int found);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catching up room {Room} failed")]
    private partial void LogCatchUpFailed(Exception exception, string room);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped connection {ConnectionId}: {Pending} room events waiting for it")]
    private partial void LogSlowConsumerDropped(string connectionId, int pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "Relaying an event of room {Room} failed")]
    private partial void LogRelayFailed(Exception exception, string room);

    private sealed class RoomFeed
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int References { get; set; }

        public StreamSubscriptionHandle<RoomEvent>? Handle { get; set; }

        public string Epoch { get; set; } = string.Empty;

        /// <summary>This front's connections in the room, by connection id.</summary>
        public Dictionary<string, ConnectionOutbox> Members { get; } = new(StringComparer.Ordinal);

        /// <summary>The last message handed to the room's connections: the seam between history and live delivery.</summary>
        public long LastSeq { get; set; }
    }
}

/// <summary>What a joining connection gets from the relay: the epoch, the seam, and the messages before it.</summary>
public sealed record RoomHistorySlice(string Epoch, long LastSeq, IReadOnlyList<BroadcastMessage> Messages, bool Recovered);
