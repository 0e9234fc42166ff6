using System.Diagnostics;
using System.Threading.Channels;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// One room as this front receives it: its stream subscription, its seam with history, and its connections on this
/// front. The subscription lives as long as the room has connections here: the first join subscribes, and a leave (or
/// removal) that leaves no connection behind unsubscribes, inside the same turn of the room's gate, so no caller can
/// get the subscription and the membership out of step. The stream's delivery only queues an event; the room's pump drains the queue under the gate and
/// writes everything it drained to each connection in one write (<see cref="RoomFanOut"/>). Whenever the gate is
/// free, everything added to the fan-out has been written.
/// </summary>
internal sealed partial class RoomFeed
{
    /// <summary>
    /// Events the pump takes in one pass under the gate: enough to write a busy room's backlog out together, few
    /// enough that a join waiting for the gate is not held up long.
    /// </summary>
    private const int MaxEventsPerPass = 256;

    /// <summary>Events queued for the pump before the stream's delivery waits: the back-pressure on the stream.</summary>
    private const int InboxCapacity = 4_096;

    /// <summary>The longest a catch-up's first read may hold the gate; a room answers it in milliseconds.</summary>
    private static readonly TimeSpan CatchUpReadTimeout = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<RoomEvent> _inbox = Channel.CreateBounded<RoomEvent>(
        new BoundedChannelOptions(InboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly RoomFanOut _out = new();

    /// <summary>The fan-out spans of the messages added since the last write; empty unless tracing is on.</summary>
    private readonly List<Activity> _fanOuts = [];
    private readonly RoomSeam _seam = new();
    private readonly RoomPresence _presence;
    private readonly RelayServices _services;
    private readonly RoomSubscription _subscription;
    private readonly ILogger _logger;

    public RoomFeed(string room, RelayServices services)
    {
        Room = room;
        _services = services;
        _logger = services.Logger;
        _presence = new RoomPresence(room, _out, services, FlushPresenceAsync);
        _subscription = new RoomSubscription(room, services, e => _inbox.Writer.WriteAsync(e).AsTask());
        _ = Task.Run(PumpAsync);
    }

    public string Room { get; }

    /// <summary>The last message this front handed out in the room; a post carries it, so the room can tell if its store went back.</summary>
    public long SeenSeq => _seam.LastSeq;

    /// <summary>The epoch and the last message this front handed out in the room.</summary>
    public (string Epoch, long LastSeq) Seen => (_seam.Epoch, _seam.LastSeq);

    /// <summary>Adds a connection (subscribing for the first) and returns what it missed up to the seam.</summary>
    /// <param name="joined">
    /// Runs once the connection is in, before any event of the room is written to it: what the connection must hear
    /// first (a join it did not ask for itself). It must not throw.
    /// </param>
    public async Task<RoomHistorySlice> JoinAsync(ConnectionOutbox connection, RoomPosition? position, Func<RoomHistorySlice, Task>? joined = null)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_subscription.IsActive)
            {
                var bounds = await _subscription.StartAsync();
                // The feed outlives its subscriptions: what it handed out before still counts.
                if (_seam.IsBehind(bounds))
                {
                    await ReportSeenAsync();
                    bounds = await Grain.GetMessages(RoomSubscription.Bounds);
                }

                _seam.Start(bounds.Epoch, bounds.LastSeq);
            }

            var join = _services.Join;
            var plan = _seam.PlanJoin(position?.LastSeq, position?.Epoch, join.MaxRecoveryGap, join.RecentOnJoin);
            var read = plan.Query is null ? null : await Grain.GetMessages(plan.Query);
            if (read is not null && read.Epoch != _seam.Epoch)
            {
                await ResyncAsync();
                plan = _seam.PlanJoin(position?.LastSeq, position?.Epoch, join.MaxRecoveryGap, join.RecentOnJoin);
                read = plan.Query is null ? null : await Grain.GetMessages(plan.Query);
            }

            // A join its hub call gave up on can finish after the connection closed, and nobody would leave for it.
            connection.ThrowIfClosed();
            _out.Members[connection.ConnectionId] = connection;
            connection.Entered(Room);
            var slice = RoomHistorySlice.Of(_seam.Epoch, _seam.LastSeq, read?.Messages ?? [], plan.Recovered(read));
            if (joined is not null)
            {
                await joined(slice);
            }

            return slice;
        }
        catch when (_out.Members.Count == 0 && _subscription.IsActive)
        {
            await UnsubscribeAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Takes a connection out of the room; the last one out ends this front's subscription.</summary>
    public async Task LeaveAsync(string connectionId)
    {
        await _gate.WaitAsync();
        try
        {
            await LeaveUnderGateAsync(connectionId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads from history what the stream has not delivered: everything stored when <paramref name="everything"/>
    /// (the gateways changed), otherwise only what has been overdue for a whole period (<see cref="RoomSeam.CatchUp"/>).
    /// </summary>
    public async Task CatchUpAsync(bool everything)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_subscription.IsActive)
            {
                return;
            }

            // Bounded, and tighter than a hub call: this read holds the gate, and one stuck on a hung silo until
            // Orleans' response timeout held up every delivery of the room for that long. Giving up early costs
            // nothing, since the watchdog tries again within 250 ms while the cluster settles.
            var bounds = await Grain.GetMessages(RoomSubscription.Bounds)
                .WaitAsync(TimeSpan.FromTicks(Math.Min(CatchUpReadTimeout.Ticks, _services.Front.GrainCallAttemptTimeout.Ticks)), _services.Time);
            if (_seam.IsBehind(bounds))
            {
                await ReportSeenAsync();
                await ResyncAsync();
            }
            else if (bounds.Epoch != _seam.Epoch)
            {
                await ResyncAsync();
            }
            else if (_seam.CatchUp(bounds.LastSeq, everything) is { } overdue)
            {
                _presence.Flush();
                await FillAsync(overdue);
            }
        }
        finally
        {
            WriteOut();
            _gate.Release();
        }
    }

    /// <summary>Sends held joins and leaves when the room's presence window ends.</summary>
    public async Task FlushPresenceAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_subscription.IsActive)
            {
                _presence.Flush();
            }
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex, Room);
        }
        finally
        {
            WriteOut();
            _gate.Release();
        }
    }

    private IChatRoomGrain Grain => _services.Cluster.GetGrain<IChatRoomGrain>(Room);

    private async Task UnsubscribeAsync()
    {
        _presence.Forget();
        await _subscription.StopAsync();
    }

    /// <summary>Whoever leaves, no connection left ends the subscription (the fan-out drops readers too far behind).</summary>
    private async Task LeaveUnderGateAsync(string connectionId)
    {
        _out.Members.Remove(connectionId, out var connection);
        connection?.Exited(Room);
        if (_out.Members.Count == 0)
        {
            await UnsubscribeAsync();
        }
    }

    /// <summary>For the life of the process: takes what the stream queued, a pass at a time, and writes it out.</summary>
    private async Task PumpAsync()
    {
        // The pump belongs to no caller: the join that started it has long ended, and must not parent its reads.
        Activity.Current = null;
        var inbox = _inbox.Reader;
        while (await inbox.WaitToReadAsync())
        {
            await _gate.WaitAsync();
            try
            {
                for (var taken = 0; taken < MaxEventsPerPass && inbox.TryRead(out var roomEvent); taken++)
                {
                    // Events still queued from a subscription that ended belong to nobody now.
                    if (_subscription.IsActive)
                    {
                        await RelayAsync(roomEvent);
                    }
                }

                WriteOut();
            }
            catch (Exception ex)
            {
                // The pump outlives any one pass: a room whose pump stopped would never hear from its stream again.
                LogRelayFailed(ex, Room);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private async Task RelayAsync(RoomEvent roomEvent)
    {
        try
        {
            switch (roomEvent)
            {
                case MessagePosted message:
                    _presence.Flush();
                    await RelayMessageAsync(message);
                    break;
                case MemberJoined joined:
                    _presence.Announce(new HeldPresence(joined.Nickname, PresenceEvent.Joined, joined.MemberCount));
                    break;
                case MemberLeft left:
                    _presence.Announce(new HeldPresence(left.Nickname, PresenceEvent.Left, left.MemberCount));
                    break;
                case MemberTyping typing:
                    _presence.Flush();
                    _out.Add(ChatEvents.Typing, new TypingEvent(typing.Room, typing.Nickname));
                    break;
                case MemberRemoved removed:
                    await RelayRemovalAsync(removed);
                    break;
                case HistoryRegressed regressed when regressed.Epoch != _seam.Epoch:
                    await ResyncAsync();
                    break;
            }
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex, roomEvent.Room);
        }
    }

    /// <summary>
    /// The removed member's connections stop receiving the room after what came before the removal; they hear why
    /// from <see cref="RoomRemovals"/>, the others see it leave.
    /// </summary>
    private async Task RelayRemovalAsync(MemberRemoved removed)
    {
        var removals = _services.Removals;
        WriteOut();
        foreach (var connectionId in removals.ConnectionsOf(removed.Nickname))
        {
            await LeaveUnderGateAsync(connectionId);
        }

        if (_subscription.IsActive)
        {
            _presence.Announce(new HeldPresence(removed.Nickname, PresenceEvent.Left, removed.MemberCount));
        }

        removals.Removed(removed);
    }

    private async Task RelayMessageAsync(MessagePosted message)
    {
        switch (_seam.Classify(message.Seq, message.Id))
        {
            case LiveStep.Duplicate:
                return;
            case LiveStep.Conflict:
                // Its number was handed out before with another message: the room's store went back and the room
                // does not know yet. Tell it, and start again from what it now has, this message included.
                await ReportSeenAsync();
                await ResyncAsync();
                return;
            case LiveStep.AfterGap:
                await FillAsync(RoomSeam.GapUpTo(message.Seq));
                break;
        }

        Send(message);
    }

    /// <summary>Relays, from history, the messages after the seam up to <paramref name="upTo"/>.</summary>
    private async Task FillAsync(long upTo)
    {
        var from = _seam.LastSeq + 1;
        var missing = await Grain.GetMessages(_seam.FillQuery(upTo));
        if (missing.Epoch != _seam.Epoch)
        {
            await ResyncAsync();
            return;
        }

        LogGapFilled(Room, from, upTo, missing.Messages.Count);
        _services.Metrics.FilledFromHistory(missing.Messages.Count);
        foreach (var earlier in missing.Messages)
        {
            Send(earlier);
        }

        _seam.Passed(upTo);
    }

    private void Send(MessagePosted message)
    {
        if (message.IsMessage)
        {
            _out.Add(ChatEvents.Broadcast, BroadcastMessage.From(message));
        }
        else
        {
            _out.Add(ChatEvents.MessageUpdated, MessageUpdatedEvent.From(message));
        }

        if (ChatActivities.StartFanOut(message) is { } fanOut)
        {
            _fanOuts.Add(fanOut);
        }

        _seam.Passed(message.Seq, message.Id);
        _services.Metrics.Relayed(_services.Time.GetUtcNow() - message.At);
    }

    /// <summary>The room stored less than this front handed out; it numbers on past it in a new epoch once told.</summary>
    private async Task ReportSeenAsync()
    {
        LogStoreWentBack(Room, _seam.Epoch, _seam.LastSeq);
        await Grain.ReportSeen(new SeenReport(_seam.Epoch, _seam.LastSeq));
    }

    /// <summary>
    /// The room's history is in another epoch than the seam: its connections get the room's latest messages in it, and
    /// the seam starts again there. Clients keep what they show and add what they have not seen (protocol.md §9).
    /// </summary>
    private async Task ResyncAsync()
    {
        var latest = await Grain.GetMessages(new MessageQuery(1, long.MaxValue, _services.Join.RecentOnJoin, MessagesOnly: true));
        _presence.Flush();
        var messages = latest.Messages.Select(BroadcastMessage.From).ToList();
        _out.Add(ChatEvents.HistoryReset, new HistoryResetEvent(Room, latest.Epoch, latest.LastSeq, messages));
        LogResynced(Room, _seam.Epoch, _seam.LastSeq, latest.Epoch, latest.LastSeq);
        _services.Metrics.HistoryReset();
        _seam.Reset(latest);
    }

    /// <summary>Writes what the fan-out holds, dropping connections already too far behind. Under the gate.</summary>
    private void WriteOut()
    {
        var connections = _out.Members.Count;
        foreach (var outbox in _out.WriteOut(_services.Limits.SlowConsumerMaxPending))
        {
            _services.SlowConsumers.DropBehind(outbox);
        }

        foreach (var fanOut in _fanOuts)
        {
            fanOut.SetTag("chat.connections", connections);
            fanOut.Dispose();
        }

        _fanOuts.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {Room}: messages {From}..{To} missing from the stream, {Found} read from history")]
    private partial void LogGapFilled(string room, long from, long to, int found);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {Room} has stored less than this front delivered ({Epoch} up to {LastSeq}): its store went back")]
    private partial void LogStoreWentBack(string room, string epoch, long lastSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {Room} moved from epoch {FromEpoch} (delivered up to {FromSeq}) to {ToEpoch} (stored up to {ToSeq}); its connections were sent the latest history")]
    private partial void LogResynced(string room, string fromEpoch, long fromSeq, string toEpoch, long toSeq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Relaying an event of room {Room} failed")]
    private partial void LogRelayFailed(Exception exception, string room);
}
