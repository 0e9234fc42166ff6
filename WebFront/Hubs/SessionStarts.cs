using Microsoft.AspNetCore.SignalR;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.WebFront.Cluster;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Security;
using ResumeResult = OrleansChat.WebFront.Protocol.ResumeResult;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// How a connection gets its session and gives it back: a new one on a free nickname (<c>Register</c>), an existing
/// one after a reconnect or from another tab or device (<c>Resume</c>, or <c>Register</c> signed in), and the end of
/// the connection. A session has as many connections as the user has tabs and devices, up to a limit. A start that
/// fails half-way is undone, so a client can simply try again.
/// </summary>
public sealed partial class SessionStarts(
    IGrainFactory grains,
    RoomJoins joins,
    ReadMarks reads,
    DirectConversations conversations,
    UserStreamRelay userEvents,
    SessionMirror mirror,
    GrainCalls calls,
    ChatAccounts accounts,
    ConnectedUsers users,
    FrontIdentity front,
    ChatMetrics metrics,
    ILogger<SessionStarts> logger)
{
    private static readonly object SessionItem = new();

    /// <summary>The connection's session, kept in its items from the start of a register or resume.</summary>
    public static ConnectionSession? Of(HubCallerContext caller) =>
        caller.Items.TryGetValue(SessionItem, out var value) ? value as ConnectionSession : null;

    public async Task<RegisterResult> RegisterAsync(HubCallerContext caller, string? nickname)
    {
        var requested = accounts.SignInRequired ? AccountNickname(caller, nickname) : nickname;
        if (!ChatRules.TryNormalizeNickname(requested, out var normalized))
        {
            throw new HubException(ChatErrors.InvalidNickname);
        }

        var key = ChatRules.KeyOf(normalized);
        var (token, hash) = ResumeTokens.Create(key);
        var newSession = false;
        // Only this connection goes if the start fails: on a session another device holds, the others stay.
        var registered = await StartAsync(caller, key, clean: true, async () =>
        {
            // Signed in, the nickname is the account's own: a session open on another device takes this one in.
            var claim = await calls.CallAsync(caller, () => Nickname(key).Claim(
                new ClaimRequest(normalized, hash, caller.ConnectionId, front.Id, AccountProven: accounts.SignInRequired)));
            if (claim.Status != ClaimStatus.Claimed)
            {
                throw new HubException(claim.Status switch
                {
                    ClaimStatus.Taken => ChatErrors.NicknameTaken,
                    ClaimStatus.TooManyConnections => ChatErrors.TooManyConnections,
                    _ => ChatErrors.InvalidNickname,
                });
            }

            newSession = claim.Rooms is null;
            return (new ConnectionSession(claim.Nickname, key, claim.SessionId, token, caller.ConnectionId, claim.Revision), claim);
        }, async (session, claim) =>
        {
            var otherRooms = claim.Rooms?.Where(room => room != ChatRules.DefaultRoom).ToList() ?? [];
            var readPositions = claim.Rooms is null ? await reads.OfNewSessionAsync(caller, session) : await reads.PositionsAsync(caller, session);
            var joined = await joins.JoinAsync(caller, session, ChatRules.DefaultRoom, position: null, readPositions);
            var others = await JoinEachAsync(caller, session, otherRooms, positions: null, readPositions);
            return new RegisterResult(session.Nickname, ChatRules.DefaultRoom, token, joined, others);
        });
        if (!newSession || Of(caller) is not { } started)
        {
            return registered;
        }

        // Only once the connection holds the session: each conversation entered is one more change of the session's
        // rooms, and a connection still starting catches up from the latest change it heard of, which may predate its
        // own later joins and would take it back out of them.
        var conversationRooms = await conversations.JoinOnStartAsync(caller, started);
        return conversationRooms.Count == 0 ? registered : registered with { OtherRooms = [.. registered.OtherRooms, .. conversationRooms] };
    }

    /// <summary>
    /// Takes a session in on this connection: after a reconnect, or from another tab or device that holds the token.
    /// Same nickname, same rooms, no leave or join notices, and for each room the messages missed since the given
    /// position. The session's other connections stay as they are.
    /// </summary>
    public async Task<ResumeResult> ResumeAsync(
        HubCallerContext caller, string? resumeToken, IReadOnlyList<RoomPosition>? positions)
    {
        // Signed in, a token only resumes the account's own nickname, even in another user's hands.
        if (!ResumeTokens.TryParse(resumeToken, out var key, out var hash)
            || (accounts.SignInRequired && key != ChatRules.KeyOf(AccountNickname(caller, null))))
        {
            throw new HubException(ChatErrors.SessionExpired);
        }

        // The session stays with the grain if the start fails (with its grace period, or its other connections): the
        // client can resume again on a new try.
        return await StartAsync(caller, key, clean: false, async () =>
        {
            var resumed = await calls.CallAsync(caller, () => Nickname(key).Resume(new ResumeRequest(hash, caller.ConnectionId, front.Id)));
            if (resumed.Status != ResumeStatus.Resumed || resumed.Nickname is null)
            {
                throw new HubException(resumed.Status == ResumeStatus.TooManyConnections ? ChatErrors.TooManyConnections : ChatErrors.SessionExpired);
            }

            return (new ConnectionSession(resumed.Nickname, key, resumed.SessionId, resumeToken!, caller.ConnectionId, resumed.Revision), resumed);
        }, async (session, resumed) =>
        {
            var readPositions = await reads.PositionsAsync(caller, session);
            var rooms = await JoinEachAsync(caller, session, resumed.Rooms, positions, readPositions);
            return new ResumeResult(session.Nickname, session.ResumeToken, rooms);
        });
    }

    /// <summary>
    /// The connection ended (the relay lets it go on its own: <see cref="RoomStreamRelay.LeaveAllAsync"/>). A client
    /// told to stop leaves, as in the original; a page closed without a goodbye may be reloading and gets the short
    /// reload grace; anything else dropped, and the session waits the grace period for the client to resume.
    /// </summary>
    public async Task EndAsync(ConnectionSession session, ClientGoodbye goodbye)
    {
        metrics.Unregistered();
        users.Remove(session);
        await userEvents.RemoveAsync(session.NicknameKey, session.ConnectionId);
        try
        {
            await calls.ForClosedConnectionAsync(session.ConnectionId, () => Nickname(session.NicknameKey).Disconnect(new DisconnectRequest(
                session.SessionId, session.ConnectionId, Clean: goodbye == ClientGoodbye.Stopped, PageClosed: goodbye == ClientGoodbye.PageClosed)));
        }
        catch (Exception ex)
        {
            LogDisconnectFailed(ex, session.Nickname);
        }
    }

    /// <summary>
    /// Signed in, the nickname is the account's: <paramref name="requested"/> may be null (or blank) or name the
    /// same nickname in any case; another one is refused, so no user can take another's nickname.
    /// </summary>
    private string AccountNickname(HubCallerContext caller, string? requested)
    {
        var account = accounts.NicknameOf(caller.User) ?? throw new HubException(ChatErrors.InvalidNickname);
        if (!string.IsNullOrWhiteSpace(requested)
            && (!ChatRules.TryNormalizeNickname(requested, out var asked) || ChatRules.KeyOf(asked) != ChatRules.KeyOf(account)))
        {
            throw new HubException(ChatErrors.AccountNickname);
        }

        return account;
    }

    /// <summary>
    /// A connection's start, whichever way it gets its session: it hears the user's stream from before it asks
    /// (<paramref name="take"/>), so a room the user's other connections join meanwhile is not missed; then it enters
    /// the session's rooms (<paramref name="enter"/>). A start that fails half-way is undone: the stream let go, and
    /// the connection taken off its session, with a goodbye when <paramref name="clean"/>.
    /// </summary>
    private async Task<TResult> StartAsync<TAnswer, TResult>(
        HubCallerContext caller,
        string key,
        bool clean,
        Func<Task<(ConnectionSession Session, TAnswer Answer)>> take,
        Func<ConnectionSession, TAnswer, Task<TResult>> enter)
    {
        await userEvents.AddAsync(key, caller.ConnectionId);
        try
        {
            var (session, answer) = await take();
            caller.Items[SessionItem] = session;
            try
            {
                var result = await enter(session, answer);
                await StartedAsync(session);
                return result;
            }
            catch
            {
                caller.Items.Remove(SessionItem);
                await joins.LeaveAllLocallyAsync(session);
                await LetGoAsync(session, clean);
                throw;
            }
        }
        catch
        {
            await userEvents.RemoveAsync(key, caller.ConnectionId);
            throw;
        }
    }

    /// <summary>Takes a connection whose start failed off its session, which it must not count against forever.</summary>
    private async Task LetGoAsync(ConnectionSession session, bool clean)
    {
        try
        {
            await calls.ForClosedConnectionAsync(
                session.ConnectionId, () => Nickname(session.NicknameKey).Disconnect(new DisconnectRequest(session.SessionId, session.ConnectionId, clean)));
        }
        catch (Exception ex)
        {
            LogDisconnectFailed(ex, session.Nickname);
        }
    }

    /// <summary>
    /// Joins the connection to each of the session's rooms, from the client's position where it gave one. A room the
    /// user was banned from while away is left out, which tells the client it is not in it.
    /// </summary>
    private async Task<List<RoomJoined>> JoinEachAsync(
        HubCallerContext caller, ConnectionSession session, IReadOnlyList<string> rooms, IReadOnlyList<RoomPosition>? positions,
        ReadPositionList readPositions)
    {
        var joined = new List<RoomJoined>(rooms.Count);
        foreach (var room in rooms)
        {
            var position = positions?.FirstOrDefault(p => p is not null && p.Room == room);
            try
            {
                joined.Add(await joins.JoinAsync(caller, session, room, position, readPositions));
            }
            catch (HubException ex) when (ex.Message == ChatErrors.Banned)
            {
            }
        }

        return joined;
    }

    /// <summary>
    /// The connection holds the session: found by nickname here, and brought up to date with any room the user's
    /// other connections joined or left while it was starting.
    /// </summary>
    private async Task StartedAsync(ConnectionSession session)
    {
        users.Add(session);
        metrics.Registered();
        await mirror.CatchUpAsync(session, userEvents.LatestRooms(session.NicknameKey));
    }

    private INicknameGrain Nickname(string key) => grains.GetGrain<INicknameGrain>(key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ending or detaching the session of {Nickname} failed")]
    private partial void LogDisconnectFailed(Exception exception, string nickname);
}
