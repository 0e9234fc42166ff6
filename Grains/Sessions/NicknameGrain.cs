using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.Grains.Rooms;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Sessions;

/// <summary>
/// One nickname and the session holding it, with every connection (tab, device) speaking for it. The grain, not a front,
/// decides when a user has really left: a connection that goes only leaves the session's list, and the last one to go
/// detaches the session; the rooms hear of the leave when the grace period runs out. The user's other connections
/// hear of a room joined or left on the user's stream (<see cref="SessionRoomsChanged"/>).
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

    private string Key => this.GetPrimaryKeyString();

    /// <summary>
    /// Resume tokens a session keeps: one per signed-in device that joined it, up to twice the connections a user may
    /// have; the oldest is let go first, and its device registers again (which, signed in, joins the session again).
    /// </summary>
    private int MaxTokens => 2 * _options.MaxConnectionsPerUser;

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
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname) || ChatRules.KeyOf(nickname) != Key)
        {
            return new ClaimResult(ClaimStatus.InvalidNickname, request.Nickname, Guid.Empty);
        }

        if (Active)
        {
            // The same token again is a retried claim (the first answer was lost with a silo); a signed-in account
            // proves the nickname is its own, and its new device joins the session with a token of its own.
            var retried = HoldsToken(request.TokenHash);
            if (!retried && !request.AccountProven)
            {
                return new ClaimResult(ClaimStatus.Taken, State.Nickname, Guid.Empty);
            }

            if (!await AttachAsync(request.ConnectionId, request.FrontId, retried ? null : request.TokenHash))
            {
                return new ClaimResult(ClaimStatus.TooManyConnections, State.Nickname, Guid.Empty);
            }

            LogAttached(State.Nickname, State.Attachments.Count);
            return new ClaimResult(ClaimStatus.Claimed, State.Nickname, State.SessionId, State.Rooms.ToList(), State.Revision);
        }

        session.State = new NicknameState
        {
            Nickname = nickname,
            SessionId = Guid.NewGuid(),
            TokenHashes = [request.TokenHash],
            Attachments = [new SessionAttachment(request.ConnectionId, request.FrontId, time.GetUtcNow())],
        };
        await session.WriteStateAsync();
        await FrontSessions(request.FrontId).Add(Key);
        return new ClaimResult(ClaimStatus.Claimed, nickname, State.SessionId);
    }

    public async Task<ResumeResult> Resume(ResumeRequest request)
    {
        if (!Active || !HoldsToken(request.TokenHash))
        {
            return new ResumeResult(ResumeStatus.Expired, null, Guid.Empty, []);
        }

        // One session, many connections: a resume adds this one, whether the user's other tabs and devices are
        // connected or not. A connection whose drop the server has not seen yet stays on the list until it is seen.
        if (!await AttachAsync(request.ConnectionId, request.FrontId, newToken: null))
        {
            LogTooManyConnections(State.Nickname, State.Attachments.Count);
            return new ResumeResult(ResumeStatus.TooManyConnections, null, Guid.Empty, []);
        }

        LogResumed(State.Nickname, State.Attachments.Count);
        return new ResumeResult(ResumeStatus.Resumed, State.Nickname, State.SessionId, State.Rooms.ToList(), State.Revision);
    }

    public async Task<JoinResult> JoinRoom(SessionRoomRequest request)
    {
        if (!Active || request.SessionId != State.SessionId)
        {
            return new JoinResult(JoinStatus.NotOwner, request.Room, null);
        }

        var known = State.Rooms.Contains(request.Room);
        if (!known && !ChatRules.IsConversation(request.Room) && PublicRooms() >= _options.MaxRoomsPerUser)
        {
            return new JoinResult(JoinStatus.TooManyRooms, State.Nickname, null);
        }

        var frontId = State.Attachments.Find(a => a.ConnectionId == request.ConnectionId)?.FrontId
            ?? State.Attachments.FirstOrDefault()?.FrontId
            ?? string.Empty;
        var result = await Room(request.Room).Join(new JoinRequest(State.Nickname, State.SessionId, frontId));
        if (result.Status == JoinStatus.Joined && !known)
        {
            State.Rooms.Add(request.Room);
            await RoomsChangedAsync(request.Room, joined: true, request.ConnectionId);
        }
        else if (result.Status == JoinStatus.Banned && known)
        {
            // Banned while in the room: the room already took the member out (and told every connection); the
            // session learns of it here.
            State.Rooms.Remove(request.Room);
            State.Revision++;
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

        await RoomsChangedAsync(request.Room, joined: false, request.ConnectionId);
        await Room(request.Room).Leave(new LeaveRequest(State.Nickname, State.SessionId));
    }

    public async Task Disconnect(DisconnectRequest request)
    {
        if (!Active || request.SessionId != State.SessionId
            || State.Attachments.Find(a => a.ConnectionId == request.ConnectionId) is not { } attachment)
        {
            return;
        }

        State.Attachments.Remove(attachment);
        if (State.Attachments.Count > 0)
        {
            // The user is still here through another tab or device: nothing to announce, whatever the close was.
            await session.WriteStateAsync();
            await LeaveFrontIfDoneAsync(attachment.FrontId);
            LogConnectionLeft(State.Nickname, State.Attachments.Count);
            return;
        }

        await LeaveFrontIfDoneAsync(attachment.FrontId);
        var grace = request.PageClosed
            ? TimeSpan.FromTicks(Math.Min(_options.ReloadGrace.Ticks, _options.ReconnectGrace.Ticks))
            : _options.ReconnectGrace;
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
        if (!Active)
        {
            return;
        }

        var onFront = State.Attachments.FindAll(a => a.FrontId == lost.FrontId);
        // A connection that took the session after the directory gave up on the front shows the front was alive then,
        // so this eviction is not about it: it was delayed (on a stalled silo, say).
        var gone = onFront.FindAll(a => lost.Clean || a.AttachedAt <= lost.DecidedAt);
        if (gone.Count < onFront.Count)
        {
            LogStaleFrontLost(State.Nickname, lost.FrontId, lost.DecidedAt);
        }

        if (gone.Count == 0)
        {
            return;
        }

        State.Attachments.RemoveAll(gone.Contains);
        if (State.Attachments.Count > 0)
        {
            await session.WriteStateAsync();
            return;
        }

        if (lost.Clean || _options.ReconnectGrace <= TimeSpan.Zero)
        {
            // The front's session list is being evicted and is waiting on this call: do not call back into it.
            await EndSessionAsync();
            return;
        }

        // The front died: its connections were lost when it stopped renewing, so the grace period runs from then.
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
        // Removed before the session ends, so each room says "kicked" (fronts close every connection of the user)
        // rather than the plain leave that ending the session would announce.
        await Task.WhenAll(State.Rooms.Select(room =>
            Room(room).Remove(new RemoveRequest(nickname, sessionId, RemovalReason.Kicked))));
        LogKicked(nickname, request.By);
        await Task.WhenAll(State.Attachments.Select(a => a.FrontId).Distinct().Select(front => FrontSessions(front).Remove(Key)));
        await EndSessionAsync();
        return new ModerationResult(ModerationStatus.Done, nickname);
    }

    public Task<SessionHolder?> GetSession() =>
        Task.FromResult(Active ? new SessionHolder(State.Nickname, State.SessionId) : null);

    /// <summary>
    /// The rooms that count towards <see cref="ChatRoomOptions.MaxRoomsPerUser"/>. Direct conversations do not: the
    /// limit is the user's own choice of rooms, and a full list must not stop anyone from receiving a direct message.
    /// </summary>
    private int PublicRooms() => State.Rooms.Count(room => !ChatRules.IsConversation(room));

    private bool HoldsToken(byte[] tokenHash) =>
        State.TokenHashes.Exists(hash => CryptographicOperations.FixedTimeEquals(hash, tokenHash));

    /// <summary>
    /// Adds a connection to the session (a connection already on it is a retry), with a new device's token if given;
    /// false if the session has as many connections as a user may have.
    /// </summary>
    private async Task<bool> AttachAsync(string connectionId, string frontId, byte[]? newToken)
    {
        if (State.Attachments.Exists(a => a.ConnectionId == connectionId))
        {
            return true;
        }

        if (State.Attachments.Count >= _options.MaxConnectionsPerUser)
        {
            return false;
        }

        StopGracePeriod();
        var newFront = !State.Attachments.Exists(a => a.FrontId == frontId);
        State.Attachments.Add(new SessionAttachment(connectionId, frontId, time.GetUtcNow()));
        State.DetachedAt = null;
        State.GraceEndsAt = null;
        if (newToken is not null)
        {
            State.TokenHashes.Add(newToken);
            if (State.TokenHashes.Count > MaxTokens)
            {
                State.TokenHashes.RemoveAt(0);
            }
        }

        await session.WriteStateAsync();
        if (newFront)
        {
            await FrontSessions(frontId).Add(Key);
        }

        return true;
    }

    /// <summary>A front with no connection of the session left no longer needs to tell the session it died.</summary>
    private async Task LeaveFrontIfDoneAsync(string frontId)
    {
        if (!State.Attachments.Exists(a => a.FrontId == frontId))
        {
            await FrontSessions(frontId).Remove(Key);
        }
    }

    /// <summary>
    /// Stores the session's rooms and tells the user's connections. Told after the write: a connection that misses the
    /// event (the stream failed) still finds the room on its next resume.
    /// </summary>
    private async Task RoomsChangedAsync(string room, bool joined, string byConnection)
    {
        State.Revision++;
        await session.WriteStateAsync();
        try
        {
            await this.GetStreamProvider(ChatStreams.ProviderName).GetStream<UserEvent>(ChatStreams.ForUser(Key))
                .OnNextAsync(new SessionRoomsChanged(Key, time.GetUtcNow(), room, joined, byConnection, State.Rooms.ToList(), State.Revision));
        }
        catch (Exception ex)
        {
            LogRoomsChangeNotTold(ex, State.Nickname, room);
        }
    }

    /// <summary>The last connection is gone since <paramref name="since"/>: the session waits <paramref name="grace"/> from then.</summary>
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

    /// <summary>
    /// Leaves every room (each announces the leave) and frees the nickname. Called once no connection is left, or by
    /// a kick that has already told the connections' fronts.
    /// </summary>
    private async Task EndSessionAsync()
    {
        StopGracePeriod();
        var (nickname, sessionId, rooms) = (State.Nickname, State.SessionId, State.Rooms.ToList());
        await Task.WhenAll(rooms.Select(room => LeaveQuietlyAsync(room, nickname, sessionId)));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} kept its connections on front {FrontId} that came after the front's loss was decided at {DecidedAt}")]
    private partial void LogStaleFrontLost(string nickname, string frontId, DateTimeOffset decidedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} resumed the session; {Connections} connections")]
    private partial void LogResumed(string nickname, int connections);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} signed in on another device; {Connections} connections")]
    private partial void LogAttached(string nickname, int connections);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} closed one connection; {Connections} left")]
    private partial void LogConnectionLeft(string nickname, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} refused another connection: the session has {Connections}")]
    private partial void LogTooManyConnections(string nickname, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} changed room {Room}, but the user's other connections could not be told until they resume")]
    private partial void LogRoomsChangeNotTold(Exception exception, string nickname, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} left; session ended and {Rooms} rooms left")]
    private partial void LogEnded(string nickname, int rooms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} could not leave room {Room}")]
    private partial void LogLeaveFailed(Exception exception, string nickname, string room);
}
