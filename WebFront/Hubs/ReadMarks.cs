using Microsoft.AspNetCore.SignalR;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Security;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// A user's read positions as the hub handles them: a mark is checked against the room's last message (what this
/// front's relay handed out answers without a call; only a mark past it asks the room, which reads no history), then
/// goes to the user's <see cref="IReadPositionsGrain"/>, which tells every device through the user's stream
/// (<see cref="UserStreamRelay"/>). Joins read the positions back for the client to count what is unread.
/// </summary>
public sealed class ReadMarks(IGrainFactory grains, RoomStreamRelay relay, GrainCalls calls, ChatAccounts accounts)
{
    /// <summary>What a new anonymous session has read: nothing yet, known without asking.</summary>
    private static readonly ReadPositionList None = new([]);

    public async Task MarkAsync(HubCallerContext caller, ConnectionSession session, string room, long seq)
    {
        if (seq < 1)
        {
            throw new HubException(ChatErrors.InvalidReadPosition);
        }

        var epoch = relay.Seen(room) is { } seen && seq <= seen.LastSeq
            ? seen.Epoch
            : await StoredEpochAsync(caller, room, seq);
        var mark = new ReadMark(OwnerOf(session), room, epoch, seq);
        await calls.CallAsync(caller, () => Positions(session).MarkRead(mark));
    }

    /// <summary>The user's positions in every room, for a resume or a join.</summary>
    public Task<ReadPositionList> PositionsAsync(HubCallerContext caller, ConnectionSession session) =>
        calls.CallAsync(caller, () => PositionsAsync(session));

    /// <summary>The user's positions in every room, asked once, outside any hub call.</summary>
    public Task<ReadPositionList> PositionsAsync(ConnectionSession session) =>
        Positions(session).GetPositions(new ReadPositionsQuery(OwnerOf(session)));

    /// <summary>
    /// The positions of a session that has just started: an anonymous one starts with none (they belong to the
    /// session), an account has its own from earlier sessions.
    /// </summary>
    public Task<ReadPositionList> OfNewSessionAsync(HubCallerContext caller, ConnectionSession session) =>
        accounts.SignInRequired ? PositionsAsync(caller, session) : Task.FromResult(None);

    /// <summary>
    /// The room's read sequence number for a join that returned <paramref name="epoch"/> up to
    /// <paramref name="lastSeq"/>. Numbers only grow across epochs, so a position from an earlier one still counts,
    /// unless it is past the room's end: then the room's history was lost and started over, and the position means
    /// nothing in it.
    /// </summary>
    public static long? SeqFor(ReadPositionList positions, string room, string epoch, long lastSeq) =>
        positions.Positions.FirstOrDefault(p => p.Room == room) is { } read && (read.Epoch == epoch || read.Seq <= lastSeq)
            ? read.Seq
            : null;

    /// <summary>Anonymous positions belong to the session; an account's, to the account (<see cref="ReadOwner"/>).</summary>
    private Guid OwnerOf(ConnectionSession session) => accounts.OwnerOf(session.SessionId);

    /// <summary>The room's epoch, if <paramref name="seq"/> is a message it has stored; the caller's error otherwise.</summary>
    private async Task<string> StoredEpochAsync(HubCallerContext caller, string room, long seq)
    {
        var bounds = await calls.CallAsync(caller, () => grains.GetGrain<IChatRoomGrain>(room).GetMessages(RoomSubscription.Bounds));
        return seq <= bounds.LastSeq ? bounds.Epoch : throw new HubException(ChatErrors.InvalidReadPosition);
    }

    private IReadPositionsGrain Positions(ConnectionSession session) => grains.GetGrain<IReadPositionsGrain>(session.NicknameKey);
}
