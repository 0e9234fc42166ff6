using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.Grains.Rooms;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Sessions;

/// <summary>
/// One nickname and the session holding it. The grain, not a front, decides when a user has really left: a dropped
/// connection only detaches the session, and the rooms hear of the leave when the grace period runs out.
/// </summary>
public sealed partial class NicknameGrain(
    [PersistentState("session", ChatStorage.Presence)] IPersistentState<NicknameState> session,
    IOptions<ChatRoomOptions> options,
    TimeProvider time,
    ILogger<NicknameGrain> logger) : Grain, INicknameGrain
{
    /// <summary>How often a session's leave of a room is tried before it is given up (and logged).</summary>
    private const int LeaveAttempts = 3;

    private readonly ChatRoomOptions _options = options.Value;
    private IGrainTimer? _graceTimer;

    private NicknameState State => session.State;

    private bool Active => State.SessionId != Guid.Empty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Active && State.DetachedAt is { } detachedAt)
        {
            StartGracePeriod((State.GraceEndsAt ?? detachedAt + _options.ReconnectGrace) - time.GetUtcNow());
        }

        return Task.CompletedTask;
    }

    public async Task<ClaimResult> Claim(ClaimRequest request)
    {
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname)
            || ChatRules.KeyOf(nickname) != this.GetPrimaryKeyString())
        {
            return new ClaimResult(ClaimStatus.InvalidNickname, request.Nickname, Guid.Empty);
        }

        if (Active)
        {
            // The same token again is a retried claim (the first answer was lost with a silo): same session.
            return CryptographicOperations.FixedTimeEquals(State.TokenHash, request.TokenHash)
                ? new ClaimResult(ClaimStatus.Claimed, State.Nickname, State.SessionId)
                : new ClaimResult(ClaimStatus.Taken, State.Nickname, Guid.Empty);
        }

        session.State = new NicknameState
        {
            Nickname = nickname,
            SessionId = Guid.NewGuid(),
            TokenHash = request.TokenHash,
            ConnectionId = request.ConnectionId,
            FrontId = request.FrontId,
            AttachedAt = time.GetUtcNow(),
        };
        await session.WriteStateAsync();
        await FrontSessions(request.FrontId).Add(this.GetPrimaryKeyString());
        return new ClaimResult(ClaimStatus.Claimed, nickname, State.SessionId);
    }

    public async Task<ResumeResult> Resume(ResumeRequest request)
    {
        if (!Active || !CryptographicOperations.FixedTimeEquals(State.TokenHash, request.TokenHash))
        {
            return new ResumeResult(null, Guid.Empty, []);
        }

        StopGracePeriod();
        var previousFront = State.FrontId;
        // One session, one connection: a resume while the old connection is still attached (a second tab with the
        // same token, or a client that reconnected before the server saw its old connection drop) takes the session
        // from it, and the old connection is closed. A retry of this resume comes from the same connection.
        var takeover = State.DetachedAt is null && State.ConnectionId != request.ConnectionId
            ? new SessionTakenOver(State.Nickname, State.ConnectionId)
            : null;
        State.DetachedAt = null;
        State.GraceEndsAt = null;
        State.ConnectionId = request.ConnectionId;
        State.FrontId = request.FrontId;
        State.AttachedAt = time.GetUtcNow();
        await session.WriteStateAsync();
        if (previousFront != request.FrontId)
        {
            await FrontSessions(request.FrontId).Add(this.GetPrimaryKeyString());
            await FrontSessions(previousFront).Remove(this.GetPrimaryKeyString());
            // Rooms record the front holding each member, so a dead front's members can be found: keep it current.
            await Task.WhenAll(State.Rooms.Select(room =>
                Room(room).Join(new JoinRequest(State.Nickname, State.SessionId, State.FrontId))));
        }

        if (takeover is not null)
        {
            await TellTakenOverAsync(previousFront, takeover);
        }

        LogResumed(State.Nickname);
        return new ResumeResult(State.Nickname, State.SessionId, State.Rooms.ToList());
    }

    public async Task<JoinResult> JoinRoom(SessionRoomRequest request)
    {
        if (!Active || request.SessionId != State.SessionId)
        {
            return new JoinResult(JoinStatus.NotOwner, request.Room, null);
        }

        var known = State.Rooms.Contains(request.Room);
        if (!known && State.Rooms.Count >= _options.MaxRoomsPerUser)
        {
            return new JoinResult(JoinStatus.TooManyRooms, State.Nickname, null);
        }

        var result = await Room(request.Room).Join(new JoinRequest(State.Nickname, State.SessionId, State.FrontId));
        if (result.Status == JoinStatus.Joined && !known)
        {
            State.Rooms.Add(request.Room);
            await session.WriteStateAsync();
        }
        else if (result.Status == JoinStatus.Banned && known)
        {
            // Banned while in the room: the room already took the member out; the session learns of it here.
            State.Rooms.Remove(request.Room);
            await session.WriteStateAsync();
        }

        return result;
    }

    public async Task LeaveRoom(SessionRoomRequest request)
    {
        if (!Active || request.SessionId != State.SessionId || !State.Rooms.Remove(request.Room))
        {
            return;
        }

        await session.WriteStateAsync();
        await Room(request.Room).Leave(new LeaveRequest(State.Nickname, State.SessionId));
    }

    public async Task Disconnect(DisconnectRequest request)
    {
        if (!Active || request.SessionId != State.SessionId || request.ConnectionId != State.ConnectionId)
        {
            return;
        }

        var grace = request.PageClosed ? TimeSpan.FromTicks(Math.Min(_options.ReloadGrace.Ticks, _options.ReconnectGrace.Ticks)) : _options.ReconnectGrace;
        if (request.Clean || grace <= TimeSpan.Zero)
        {
            await EndSessionAsync();
            return;
        }

        await DetachAsync(time.GetUtcNow(), grace);
        LogDetached(State.Nickname, grace);
    }

    public async Task FrontLost(FrontLost lost)
    {
        if (!Active || State.FrontId != lost.FrontId || State.DetachedAt is not null)
        {
            return;
        }

        if (!lost.Clean && State.AttachedAt > lost.DecidedAt)
        {
            // The connection took the session after the directory gave up on the front, so the front was alive
            // then and this eviction is not about it: it was delayed (on a stalled silo, say), and the front has
            // since made its clients take their sessions back.
            LogStaleFrontLost(State.Nickname, lost.FrontId, lost.DecidedAt);
            return;
        }

        if (lost.Clean || _options.ReconnectGrace <= TimeSpan.Zero)
        {
            // The front's session list is being evicted and is waiting on this call: do not call back into it.
            await EndSessionAsync(leaveFront: false);
            return;
        }

        // The front died: the connection was lost when the front stopped renewing, so the grace period runs from then.
        await DetachAsync(lost.Since, _options.ReconnectGrace);
        LogFrontLost(State.Nickname, lost.FrontId);
    }

    public async Task<ModerationResult> Kick(ModerationRequest request)
    {
        if (!Active)
        {
            return new ModerationResult(ModerationStatus.NotFound, request.Nickname);
        }

        var (nickname, sessionId) = (State.Nickname, State.SessionId);
        // Removed before the session ends, so each room says "kicked" (fronts close the connection) rather than
        // the plain leave that ending the session would announce.
        await Task.WhenAll(State.Rooms.Select(room =>
            Room(room).Remove(new RemoveRequest(nickname, sessionId, RemovalReason.Kicked))));
        LogKicked(nickname, request.By);
        await EndSessionAsync();
        return new ModerationResult(ModerationStatus.Done, nickname);
    }

    /// <summary>
    /// Asks the old connection's front to close it. The session has moved whatever happens here: a front that cannot
    /// be told is dead or about to lose its lease, and its connection with it; the old connection's own close is
    /// ignored, since it no longer holds the session.
    /// </summary>
    private async Task TellTakenOverAsync(string frontId, SessionTakenOver takeover)
    {
        try
        {
            await FrontSessions(frontId).TakenOver(takeover);
            LogTakenOver(takeover.Nickname, takeover.ConnectionId, frontId);
        }
        catch (Exception ex)
        {
            LogTakeoverNotTold(ex, takeover.Nickname, frontId);
        }
    }

    /// <summary>The connection is gone since <paramref name="since"/>: the session waits <paramref name="grace"/> from then.</summary>
    private async Task DetachAsync(DateTimeOffset since, TimeSpan grace)
    {
        State.DetachedAt = since;
        State.GraceEndsAt = since + grace;
        await session.WriteStateAsync();
        StartGracePeriod(State.GraceEndsAt.Value - time.GetUtcNow());
    }

    private void StartGracePeriod(TimeSpan dueTime)
    {
        StopGracePeriod();
        _graceTimer = this.RegisterGrainTimer(
            _ => EndSessionAsync(),
            new GrainTimerCreationOptions
            {
                DueTime = dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime,
                Period = Timeout.InfiniteTimeSpan,
                // A detached session must not be collected before its grace period ends, or nobody would leave.
                KeepAlive = true,
            });
    }

    private void StopGracePeriod()
    {
        _graceTimer?.Dispose();
        _graceTimer = null;
    }

    /// <summary>Leaves every room (each announces the leave) and frees the nickname.</summary>
    private async Task EndSessionAsync(bool leaveFront = true)
    {
        StopGracePeriod();
        var (nickname, sessionId, rooms, frontId) = (State.Nickname, State.SessionId, State.Rooms.ToList(), State.FrontId);
        await Task.WhenAll(rooms.Select(room => LeaveQuietlyAsync(room, nickname, sessionId)));
        if (leaveFront)
        {
            await FrontSessions(frontId).Remove(this.GetPrimaryKeyString());
        }
        await session.ClearStateAsync();
        session.State = new NicknameState();
        LogEnded(nickname, rooms.Count);
        DeactivateOnIdle();
    }

    private async Task LeaveQuietlyAsync(string room, string nickname, Guid sessionId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Room(room).Leave(new LeaveRequest(nickname, sessionId));
                return;
            }
            catch (Exception) when (attempt < LeaveAttempts)
            {
                // A room whose write failed (a version conflict with a stale activation on a silo that had stalled,
                // say) reloads its state, and Leave is idempotent: try again. A leave given up on leaves a ghost
                // member that keeps the nickname out of the room (NicknameTaken) for good.
            }
            catch (Exception ex)
            {
                LogLeaveFailed(ex, nickname, room);
                return;
            }
        }
    }

    private IChatRoomGrain Room(string room) => GrainFactory.GetGrain<IChatRoomGrain>(room);

    private IFrontSessionsGrain FrontSessions(string frontId) => GrainFactory.GetGrain<IFrontSessionsGrain>(frontId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} dropped; holding the session for {Grace}")]
    private partial void LogDetached(string nickname, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} lost front {FrontId}; holding the session for the rest of the grace period")]
    private partial void LogFrontLost(string nickname, string frontId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} kicked by {By}")]
    private partial void LogKicked(string nickname, string by);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} ignored the loss of front {FrontId} decided at {DecidedAt}: the session attached to it later")]
    private partial void LogStaleFrontLost(string nickname, string frontId, DateTimeOffset decidedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} resumed the session on a new connection while {ConnectionId} on front {FrontId} held it; that connection is being closed")]
    private partial void LogTakenOver(string nickname, string connectionId, string frontId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} resumed the session elsewhere, but front {FrontId} could not be told to close the old connection")]
    private partial void LogTakeoverNotTold(Exception exception, string nickname, string frontId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} resumed the session")]
    private partial void LogResumed(string nickname);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} left; session ended and {Rooms} rooms left")]
    private partial void LogEnded(string nickname, int rooms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} could not leave room {Room}")]
    private partial void LogLeaveFailed(Exception exception, string nickname, string room);
}
