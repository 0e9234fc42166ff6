using Microsoft.AspNetCore.SignalR;
using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// A connection's way into and out of rooms: the relay starts sending the room before the session joins it (so the
/// caller sees its own join and nothing between), and stops if the room refuses the join; a direct conversation
/// refuses a stranger before that. The result carries the user's read position in the room (<see cref="ReadMarks"/>).
/// </summary>
public sealed class RoomJoins(IGrainFactory grains, RoomStreamRelay relay, GrainCalls calls, ReadMarks reads)
{
    /// <param name="readPositions">The user's read positions when the caller has them (a resume reads them once for
    /// all its rooms); null to read them here.</param>
    public async Task<RoomJoined> JoinAsync(
        HubCallerContext caller, ConnectionSession session, string room, RoomPosition? position, ReadPositionList? readPositions = null)
    {
        await RequireParticipantAsync(caller, session, room);
        // A ban the connection has not heard of is moot now: the room decides (the ban may have been lifted since).
        session.TakeBan(room);
        RoomHistorySlice slice;
        JoinResult result;
        try
        {
            slice = await calls.CallAsync(caller, () => relay.JoinAsync(room, session.ConnectionId, position));
            result = await calls.CallAsync(caller, () => Nickname(session).JoinRoom(new SessionRoomRequest(session.SessionId, room, session.ConnectionId)));
        }
        catch
        {
            await LeaveIfNotMemberAsync(session, room);
            throw;
        }

        if (result.Status != JoinStatus.Joined || result.Room is not { } joined)
        {
            // Banned while in the room: out of it here too.
            if (result.Status == JoinStatus.Banned)
            {
                session.Left(room);
            }

            await LeaveIfNotMemberAsync(session, room);
            throw new HubException(result.Status switch
            {
                JoinStatus.RoomFull => ChatErrors.RoomFull,
                JoinStatus.TooManyRooms => ChatErrors.TooManyRooms,
                JoinStatus.NicknameTaken => ChatErrors.NicknameTaken,
                JoinStatus.InvalidNickname => ChatErrors.InvalidNickname,
                JoinStatus.Banned => ChatErrors.Banned,
                JoinStatus.NotParticipant => ChatErrors.NoSuchConversation,
                _ => ChatErrors.SessionExpired,
            });
        }

        session.Joined(room);
        readPositions ??= await reads.PositionsAsync(caller, session);
        var readSeq = ReadMarks.SeqFor(readPositions, room, slice.Epoch, slice.LastSeq);
        return new RoomJoined(room, joined.Members, slice.Epoch, slice.LastSeq, slice.Messages, slice.Recovered, joined.MemberCount, readSeq, slice.Updates);
    }

    public async Task LeaveAsync(HubCallerContext caller, ConnectionSession session, string room)
    {
        if (!session.Left(room))
        {
            return;
        }

        await relay.LeaveAsync(room, session.ConnectionId);
        await calls.CallAsync(caller, () => Nickname(session).LeaveRoom(new SessionRoomRequest(session.SessionId, room, session.ConnectionId)));
    }

    /// <summary>Stops sending every room of the session to its connection, which failed to resume on it.</summary>
    public async Task LeaveAllLocallyAsync(ConnectionSession session)
    {
        foreach (var room in session.Rooms)
        {
            await relay.LeaveAsync(room, session.ConnectionId);
        }
    }

    /// <summary>
    /// Refuses a call for a room the session is not in; a ban the connection has not heard of yet is reported as
    /// such, once.
    /// </summary>
    public static void RequireMember(ConnectionSession session, string room)
    {
        if (session.TakeBan(room))
        {
            throw new HubException(ChatErrors.Banned);
        }

        if (!session.IsIn(room))
        {
            throw new HubException(ChatErrors.NotInRoom);
        }
    }

    /// <summary>
    /// The room refused the member (banned) before the ban's event reached this front: out of the room here, and the
    /// error the caller is to get.
    /// </summary>
    public async Task<HubException> BannedAsync(ConnectionSession session, string room)
    {
        session.Left(room);
        await relay.LeaveAsync(room, session.ConnectionId);
        return new HubException(ChatErrors.Banned);
    }

    /// <summary>
    /// A direct conversation is refused to a stranger before the relay sends it anything: the room refuses the join
    /// too, but the connection would hear the room's events from the relay's join to the refusal.
    /// </summary>
    private async Task RequireParticipantAsync(HubCallerContext caller, ConnectionSession session, string room)
    {
        if (!ChatRules.IsConversation(room) || session.IsIn(room))
        {
            return;
        }

        var members = await calls.CallAsync(caller, () => grains.GetGrain<IConversationGrain>(room).GetMembers());
        if (!members.Admits(session.NicknameKey, session.SessionId))
        {
            throw new HubException(ChatErrors.NoSuchConversation);
        }
    }

    private async Task LeaveIfNotMemberAsync(ConnectionSession session, string room)
    {
        if (!session.IsIn(room))
        {
            await relay.LeaveAsync(room, session.ConnectionId);
        }
    }

    private INicknameGrain Nickname(ConnectionSession session) => grains.GetGrain<INicknameGrain>(session.NicknameKey);
}
