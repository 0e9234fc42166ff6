using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// Keeps every connection of a user on this front in the rooms of the user's session. When one tab or device joins a
/// room, each other connection starts receiving it and is sent <c>room_joined</c> (what a join returns) before the
/// room's first event; when one leaves, each other connection stops receiving it and is sent <c>room_left</c>. A
/// connection that was starting when a change went by catches up from the latest change (<see cref="CatchUpAsync"/>).
/// </summary>
public sealed partial class SessionMirror(
    IGrainFactory grains,
    RoomStreamRelay relay,
    ConnectedUsers users,
    ChatConnections connections,
    ReadMarks reads,
    IOptions<ChatLimitsOptions> limits,
    ILogger<SessionMirror> logger) : ISessionRoomsListener
{
    /// <summary>Members a followed room lists at first, as a join does by default; the <c>Members</c> method pages on.</summary>
    private const int MembersShown = 100;

    public async Task RoomsChangedAsync(SessionRoomsChanged change)
    {
        ReadPositionList? positions = null;
        foreach (var session in users.FindByKey(change.User))
        {
            // The connection that made the change has it already; so does one that caught up past it.
            if (!session.Advance(change.Revision) || session.ConnectionId == change.ByConnection)
            {
                continue;
            }

            if (change.Joined)
            {
                positions ??= await PositionsAsync(session);
                await FollowInAsync(session, change.Room, positions);
            }
            else
            {
                await FollowOutAsync(session, change.Room);
            }
        }
    }

    /// <summary>
    /// A connection has just taken its session: if a change went by on the user's stream that the session's answer did
    /// not include yet, the connection follows the rooms as they are after it.
    /// </summary>
    public async Task CatchUpAsync(ConnectionSession session, SessionRoomsChanged? latest)
    {
        if (latest is null || !session.Advance(latest.Revision))
        {
            return;
        }

        try
        {
            var rooms = latest.Rooms.ToHashSet(StringComparer.Ordinal);
            foreach (var room in session.Rooms.Where(room => !rooms.Contains(room)))
            {
                await FollowOutAsync(session, room);
            }

            ReadPositionList? positions = null;
            foreach (var room in latest.Rooms.Where(room => !session.IsIn(room)))
            {
                positions ??= await PositionsAsync(session);
                await FollowInAsync(session, room, positions);
            }
        }
        catch (Exception ex)
        {
            // The connection has its session either way; its next resume returns the session's rooms as they are.
            LogCatchUpFailed(ex, session.Nickname, session.ConnectionId);
        }
    }

    /// <summary>The user's read positions; none if they cannot be read now (the rooms then show as unread).</summary>
    private async Task<ReadPositionList> PositionsAsync(ConnectionSession session)
    {
        try
        {
            return await reads.PositionsAsync(session);
        }
        catch (Exception ex)
        {
            LogPositionsUnread(ex, session.Nickname);
            return new ReadPositionList([]);
        }
    }

    private async Task FollowInAsync(ConnectionSession session, string room, ReadPositionList positions)
    {
        if (session.IsIn(room) || connections.Find(session.ConnectionId) is not { } outbox)
        {
            return;
        }

        try
        {
            await relay.JoinAsync(room, session.ConnectionId, position: null, slice => AnnounceAsync(outbox, room, slice, positions));
            session.Joined(room);
            LogFollowedIn(session.Nickname, session.ConnectionId, room);
        }
        catch (Exception ex)
        {
            // Closed meanwhile, or the room could not be read: the connection's next resume returns the room.
            LogFollowInFailed(ex, session.Nickname, session.ConnectionId, room);
        }
    }

    private async Task FollowOutAsync(ConnectionSession session, string room)
    {
        if (!session.Left(room))
        {
            return;
        }

        await relay.LeaveAsync(room, session.ConnectionId);
        connections.Find(session.ConnectionId)?.TrySend(
            new SerializedHubMessage(new InvocationMessage(ChatEvents.RoomLeft, [new RoomLeftEvent(room)])),
            events: 1,
            maxPending: limits.Value.SlowConsumerMaxPending);
    }

    /// <summary>
    /// The room as a join shows it, written before the room's first event. Runs under the room feed's gate, so the
    /// members read here and the presence events after it make one consistent list; it never throws.
    /// </summary>
    private async Task AnnounceAsync(ConnectionOutbox outbox, string room, RoomHistorySlice slice, ReadPositionList positions)
    {
        MemberPage members;
        try
        {
            members = await grains.GetGrain<IChatRoomGrain>(room).GetMembers(new MemberQuery(null, MembersShown));
        }
        catch (Exception ex)
        {
            // The list fills in from presence events and the Members method; the room's messages matter more.
            LogMembersUnread(ex, room);
            members = new MemberPage(0, [], HasMore: true);
        }

        var joined = new RoomJoined(
            room, members.Members, slice.Epoch, slice.LastSeq, slice.Messages, slice.Recovered, members.Count,
            ReadMarks.SeqFor(positions, room, slice.Epoch, slice.LastSeq), slice.Updates);
        outbox.TrySend(
            new SerializedHubMessage(new InvocationMessage(ChatEvents.RoomJoined, [joined])),
            events: 1,
            maxPending: int.MaxValue);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Nickname} joined room {Room} elsewhere; connection {ConnectionId} follows")]
    private partial void LogFollowedIn(string nickname, string connectionId, string room);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} joined room {Room} elsewhere, but connection {ConnectionId} could not follow")]
    private partial void LogFollowInFailed(Exception exception, string nickname, string connectionId, string room);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} of {Nickname} could not catch up with the rooms the user's other connections changed while it started")]
    private partial void LogCatchUpFailed(Exception exception, string nickname, string connectionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The read positions of {Nickname} could not be read for a connection following the user into a room")]
    private partial void LogPositionsUnread(Exception exception, string nickname);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The members of room {Room} could not be read for a connection following its user in")]
    private partial void LogMembersUnread(Exception exception, string room);
}
