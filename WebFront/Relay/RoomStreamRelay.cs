using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Rooms;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Carries room events from Orleans to this front's browsers. It subscribes to a room's stream once per process,
/// while at least one local connection is in the room, and fans the events out to the room's local connections. The
/// stream only queues an event (so its delivery never waits for the fan-out); the room's pump drains the queue and
/// writes everything it drained to each connection in one write (<see cref="RoomFanOut"/>), without waiting for the
/// connection before (<see cref="ConnectionOutbox"/>). A quiet room sends each event at once; a busy one sends
/// several per write, as a plain SignalR hub under load does. A connection that falls too far behind is dropped; it
/// can resume.
/// </summary>
/// <remarks>
/// Per room it tracks the last sequence number handed to the room's connections. Everything up to it has been
/// written to every one of them exactly once; a connection that joins gets the rest of what it missed from history,
/// under the same lock, so nothing is lost or doubled at the seam. A hole in the stream's sequence (a lost event)
/// is filled from history before the next message goes out. Whenever the room's gate is free, everything added to
/// its fan-out has been written.
/// </remarks>
public sealed partial class RoomStreamRelay(
    IClusterClient cluster,
    ChatConnections connections,
    ConnectedUsers users,
    IOptions<ChatRoomOptions> options,
    IOptions<ChatLimitsOptions> limits,
    IOptions<ChatFrontOptions> frontOptions,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger<RoomStreamRelay> logger)
{
    /// <summary>Asks a room for its epoch and last sequence number, without messages.</summary>
    private static readonly MessageQuery Bounds = new(1, long.MaxValue, 0);

    /// <summary>
    /// Events a room's pump takes in one pass under its gate: enough to write a busy room's backlog out together,
    /// few enough that a join waiting for the gate is not held up long.
    /// </summary>
    private const int MaxEventsPerPass = 256;

    /// <summary>Events queued for a room's pump before the stream's delivery waits: the back-pressure on the stream.</summary>
    private const int InboxCapacity = 4_096;

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
                feed.Handle = await StreamOf(room).SubscribeAsync((e, _) => feed.Inbox.Writer.WriteAsync(e).AsTask());
                try
                {
                    // After subscribing: whatever is published from now on is either before the seam (and
                    // dropped by the relay, joiners read it from history) or after it (and relayed).
                    var bounds = await Room(room).GetMessages(Bounds);
                    (feed.Epoch, feed.LastSeq, feed.CatchUpTarget) = (bounds.Epoch, bounds.LastSeq, bounds.LastSeq);
                    LogSubscribed(room, bounds.LastSeq);
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
            feed.Out.Members.Remove(connectionId);
            if (--feed.References == 0 && feed.Handle is { } handle)
            {
                feed.Handle = null;
                feed.Presence.Release();
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

            feed.Out.Members[connectionId] = connections.Find(connectionId)
                ?? throw new InvalidOperationException($"Connection {connectionId} is not open on this front.");
            return new RoomHistorySlice(feed.Epoch, upTo, range.Messages.Select(ToBroadcast).ToList(), recovered);
        }
        finally
        {
            feed.Gate.Release();
        }
    }

    /// <summary>
    /// Brings every subscribed room up to date from history. Stream events can be lost when a silo dies (they sat in
    /// its queue); a later message would reveal the gap, but the last ones before a quiet spell would wait for it, so
    /// this runs when the gateways change (<paramref name="gatewaysChanged"/>: everything the room has stored) and on
    /// a period. On a period it takes from history only what the stream has not delivered for a whole period: under
    /// load the stream runs behind the room, and reading history for messages it is about to deliver would do the
    /// delivering twice.
    /// </summary>
    public async Task CatchUpAllAsync(bool gatewaysChanged)
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
                await CatchUpAsync(room, feed, gatewaysChanged);
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

    /// <summary>
    /// The room's pump, for the life of the process: takes what the stream queued, up to a pass at a time, under the
    /// room's gate, and writes it out before letting go of the gate.
    /// </summary>
    private async Task PumpAsync(RoomFeed feed)
    {
        var inbox = feed.Inbox.Reader;
        while (await inbox.WaitToReadAsync())
        {
            await feed.Gate.WaitAsync();
            try
            {
                for (var taken = 0; taken < MaxEventsPerPass && inbox.TryRead(out var roomEvent); taken++)
                {
                    // Events still queued from a subscription that ended belong to nobody now.
                    if (feed.Handle is not null)
                    {
                        await RelayAsync(feed, roomEvent);
                    }
                }

                WriteOut(feed);
            }
            catch (Exception ex)
            {
                // The pump outlives any one pass: a room whose pump stopped would never hear from its stream again.
                LogRelayFailed(ex, feed.Room);
            }
            finally
            {
                feed.Gate.Release();
            }
        }
    }

    private async Task RelayAsync(RoomFeed feed, RoomEvent roomEvent)
    {
        try
        {
            switch (roomEvent)
            {
                case MessagePosted message:
                    FlushPresence(feed);
                    await RelayMessageAsync(feed, message);
                    break;
                case MemberJoined joined:
                    Announce(feed, new HeldPresence(joined.Nickname, PresenceEvent.Joined, joined.MemberCount));
                    break;
                case MemberLeft left:
                    Announce(feed, new HeldPresence(left.Nickname, PresenceEvent.Left, left.MemberCount));
                    break;
                case MemberTyping typing:
                    FlushPresence(feed);
                    feed.Out.Add(ChatEvents.Typing, new TypingEvent(typing.Room, typing.Nickname));
                    break;
                case MemberRemoved removed:
                    // The removed member's connection stops receiving the room first (after what came before the
                    // removal): it hears why from ConnectedUsers, not the room's leave notice.
                    if (users.ConnectionOf(removed.Nickname) is { } connectionId)
                    {
                        WriteOut(feed);
                        feed.Out.Members.Remove(connectionId);
                    }

                    Announce(feed, new HeldPresence(removed.Nickname, PresenceEvent.Left, removed.MemberCount));
                    await users.RemovedAsync(removed);
                    break;
            }
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex, roomEvent.Room);
        }
    }

    private async Task CatchUpAsync(string room, RoomFeed feed, bool everything)
    {
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.Handle is null)
            {
                return;
            }

            var stored = (await Room(room).GetMessages(Bounds)).LastSeq;
            var overdue = everything ? stored : Math.Min(feed.CatchUpTarget, stored);
            if (overdue > feed.LastSeq)
            {
                FlushPresence(feed);
                await FillAsync(feed, room, overdue);
            }

            feed.CatchUpTarget = stored;
        }
        finally
        {
            WriteOut(feed);
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
        metrics.FilledFromHistory(missing.Messages.Count);
        foreach (var earlier in missing.Messages)
        {
            Send(feed, earlier);
            feed.LastSeq = earlier.Seq;
        }

        feed.LastSeq = Math.Max(feed.LastSeq, upTo);
    }

    private void Send(RoomFeed feed, MessagePosted message)
    {
        feed.Out.Add(ChatEvents.Broadcast, ToBroadcast(message));
        metrics.Relayed(time.GetUtcNow() - message.At);
    }

    /// <summary>Sends a join or leave now, or holds it for the rest of the room's presence window.</summary>
    private void Announce(RoomFeed feed, HeldPresence change)
    {
        if (feed.Presence.Admit(change, out var flushIn))
        {
            SendPresence(feed, [change]);
        }
        else if (flushIn is { } delay)
        {
            _ = FlushPresenceLaterAsync(feed, delay);
        }
    }

    /// <summary>Sends held joins and leaves first, so every other event reaches clients after them, as it happened.</summary>
    private void FlushPresence(RoomFeed feed)
    {
        if (feed.Presence.HasHeld)
        {
            SendPresence(feed, feed.Presence.Release());
        }
    }

    private async Task FlushPresenceLaterAsync(RoomFeed feed, TimeSpan delay)
    {
        await Task.Delay(delay, time);
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.Handle is not null)
            {
                FlushPresence(feed);
            }
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex, feed.Room);
        }
        finally
        {
            WriteOut(feed);
            feed.Gate.Release();
        }
    }

    /// <summary>
    /// The original's notices first (in <c>geral</c>, while the room is small enough for them to be news), then one
    /// <c>presence</c> for a single change or one <c>presence_batch</c> for several.
    /// </summary>
    private void SendPresence(RoomFeed feed, IReadOnlyList<HeldPresence> changes)
    {
        if (feed.Room == ChatRules.DefaultRoom)
        {
            var noticeMaxMembers = frontOptions.Value.NoticeMaxMembers;
            foreach (var change in changes.Where(c => c.MemberCount <= noticeMaxMembers))
            {
                var notice = change.Kind == PresenceEvent.Joined
                    ? ChatNotices.Joined(change.Nickname)
                    : ChatNotices.Left(change.Nickname);
                feed.Out.Add(ChatEvents.Notice, notice);
            }
        }

        var last = changes[^1];
        if (changes.Count == 1)
        {
            feed.Out.Add(ChatEvents.Presence, new PresenceEvent(feed.Room, last.Nickname, last.Kind, last.MemberCount));
        }
        else
        {
            var batch = changes.Select(c => new PresenceChange(c.Nickname, c.Kind)).ToList();
            feed.Out.Add(ChatEvents.PresenceBatch, new PresenceBatchEvent(feed.Room, batch, last.MemberCount));
        }
    }

    /// <summary>Writes what the room's fan-out holds, dropping connections already too far behind. Under the gate.</summary>
    private void WriteOut(RoomFeed feed)
    {
        foreach (var outbox in feed.Out.WriteOut(limits.Value.SlowConsumerMaxPending))
        {
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
                feed = new RoomFeed(room, new PresenceWindow(frontOptions.Value.PresenceWindow, time));
                _rooms.Add(room, feed);
                _ = Task.Run(() => PumpAsync(feed));
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

    private sealed class RoomFeed(string room, PresenceWindow presence)
    {
        public string Room { get; } = room;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public PresenceWindow Presence { get; } = presence;

        /// <summary>What the stream delivered, waiting for the pump.</summary>
        public Channel<RoomEvent> Inbox { get; } = Channel.CreateBounded<RoomEvent>(
            new BoundedChannelOptions(InboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        /// <summary>This front's connections in the room, and the events on their way to them.</summary>
        public RoomFanOut Out { get; } = new();

        public int References { get; set; }

        public StreamSubscriptionHandle<RoomEvent>? Handle { get; set; }

        public string Epoch { get; set; } = string.Empty;

        /// <summary>The last message handed to the room's connections: the seam between history and live delivery.</summary>
        public long LastSeq { get; set; }

        /// <summary>The room's last stored message at the previous catch-up: the stream has had a period to deliver it.</summary>
        public long CatchUpTarget { get; set; }
    }
}

/// <summary>What a joining connection gets from the relay: the epoch, the seam, and the messages before it.</summary>
public sealed record RoomHistorySlice(string Epoch, long LastSeq, IReadOnlyList<BroadcastMessage> Messages, bool Recovered);
