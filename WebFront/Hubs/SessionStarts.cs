using Microsoft.AspNetCore.SignalR;
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
/// one after a reconnect (<c>Resume</c>), and the end of the connection. A start that fails half-way is undone, so a
/// client can simply try again.
/// </summary>
public sealed partial class SessionStarts(
    IGrainFactory grains,
    RoomJoins joins,
    ReadMarks reads,
    UserStreamRelay userEvents,
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
        var claim = await calls.CallAsync(caller, () => Nickname(key).Claim(new ClaimRequest(normalized, hash, caller.ConnectionId, front.Id)));
        if (claim.Status != ClaimStatus.Claimed)
        {
            throw new HubException(claim.Status == ClaimStatus.Taken ? ChatErrors.NicknameTaken : ChatErrors.InvalidNickname);
        }

        var session = new ConnectionSession(claim.Nickname, key, claim.SessionId, token, caller.ConnectionId);
        caller.Items[SessionItem] = session;
        try
        {
            var readPositions = await reads.OfNewSessionAsync(caller, session);
            var joined = await joins.JoinAsync(caller, session, ChatRules.DefaultRoom, position: null, readPositions);
            await StartedAsync(session);
            return new RegisterResult(session.Nickname, ChatRules.DefaultRoom, token, joined);
        }
        catch
        {
            caller.Items.Remove(SessionItem);
            await Nickname(key).Disconnect(new DisconnectRequest(session.SessionId, caller.ConnectionId, Clean: true));
            throw;
        }
    }

    /// <summary>
    /// Takes back a session within its grace period: same nickname, same rooms, no leave or join notices, and for
    /// each room the messages missed since the given position.
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

        var resumed = await calls.CallAsync(caller, () => Nickname(key).Resume(new ResumeRequest(hash, caller.ConnectionId, front.Id)));
        if (resumed.Nickname is null)
        {
            throw new HubException(ChatErrors.SessionExpired);
        }

        var session = new ConnectionSession(resumed.Nickname, key, resumed.SessionId, resumeToken!, caller.ConnectionId);
        caller.Items[SessionItem] = session;
        try
        {
            var rooms = new List<RoomJoined>(resumed.Rooms.Count);
            var readPositions = await reads.PositionsAsync(caller, session);
            foreach (var room in resumed.Rooms)
            {
                var position = positions?.FirstOrDefault(p => p is not null && p.Room == room);
                try
                {
                    rooms.Add(await joins.JoinAsync(caller, session, room, position, readPositions));
                }
                catch (HubException ex) when (ex.Message == ChatErrors.Banned)
                {
                    // Banned while away: the room is left out of the result, which tells the client it is not in it.
                }
            }

            await StartedAsync(session);
            return new ResumeResult(session.Nickname, session.ResumeToken, rooms);
        }
        catch
        {
            // The session stays with the grain (and its grace period); the client can resume again on a new try.
            await joins.LeaveAllLocallyAsync(session);
            caller.Items.Remove(SessionItem);
            throw;
        }
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
            await Nickname(session.NicknameKey).Disconnect(new DisconnectRequest(
                session.SessionId, session.ConnectionId, Clean: goodbye == ClientGoodbye.Stopped, PageClosed: goodbye == ClientGoodbye.PageClosed));
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

    /// <summary>The connection holds the session: it hears of the user by nickname, and of the user's other devices.</summary>
    private async Task StartedAsync(ConnectionSession session)
    {
        users.Add(session);
        metrics.Registered();
        await userEvents.AddAsync(session.NicknameKey, session.ConnectionId);
    }

    private INicknameGrain Nickname(string key) => grains.GetGrain<INicknameGrain>(key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ending or detaching the session of {Nickname} failed")]
    private partial void LogDisconnectFailed(Exception exception, string nickname);
}
