using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.WebFront.Cluster;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Security;
using OrleansChat.WebFront.Settings;
using ResumeResult = OrleansChat.WebFront.Protocol.ResumeResult;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// The browser's door into the chat, with the seed's vocabulary (<c>Register</c>, <c>Message</c>) and the rooms,
/// history and resume methods beyond it. It validates, forwards to grains and returns; room events come back to
/// browsers through <see cref="RoomStreamRelay"/>, never from here.
/// </summary>
public sealed partial class ChatHub(
    IGrainFactory grains,
    RoomStreamRelay relay,
    ChatAccounts accounts,
    ConnectedUsers users,
    FrontIdentity front,
    IOptions<ChatFrontOptions> frontOptions,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger<ChatHub> logger) : Hub
{
    private const string SessionItem = "session";
    private const int MaxHistoryPage = 100;
    private const int MaxMemberPage = 200;

    /// <summary>
    /// Grain calls are tried this often. Every call the hub makes is idempotent (posts carry their message id,
    /// claims their token), so a call lost with a dying silo is simply made again once the cluster has moved on.
    /// </summary>
    private const int MaxAttempts = 3;

    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(250);

    public override Task OnConnectedAsync()
    {
        metrics.Connected();
        return Task.CompletedTask;
    }

    private ConnectionSession? Session =>
        Context.Items.TryGetValue(SessionItem, out var value) ? value as ConnectionSession : null;

    /// <summary>Seed method: takes a nickname for this connection and joins the default room.</summary>
    public async Task<RegisterResult> Register(string? nickname)
    {
        EnsureNotRegistered();
        if (!ChatRules.TryNormalizeNickname(accounts.SignInRequired ? AccountNickname(nickname) : nickname, out var normalized))
        {
            throw new HubException(ChatErrors.InvalidNickname);
        }

        var key = ChatRules.KeyOf(normalized);
        var (token, hash) = ResumeTokens.Create(key);
        var claim = await CallAsync(() => Nickname(key).Claim(new ClaimRequest(normalized, hash, Context.ConnectionId, front.Id)));
        if (claim.Status != ClaimStatus.Claimed)
        {
            throw new HubException(claim.Status == ClaimStatus.Taken ? ChatErrors.NicknameTaken : ChatErrors.InvalidNickname);
        }

        var session = new ConnectionSession(claim.Nickname, key, claim.SessionId, token);
        Context.Items[SessionItem] = session;
        try
        {
            var joined = await JoinAsync(session, ChatRules.DefaultRoom, position: null);
            users.Add(session, Context);
            metrics.Registered();
            return new RegisterResult(session.Nickname, ChatRules.DefaultRoom, token, joined);
        }
        catch
        {
            Context.Items.Remove(SessionItem);
            await Nickname(key).Disconnect(new DisconnectRequest(session.SessionId, Context.ConnectionId, Clean: true));
            throw;
        }
    }

    /// <summary>
    /// Takes back a session after a reconnect, within the grace period: same nickname, same rooms, no leave or
    /// join notices, and for each room the messages missed since the given position.
    /// </summary>
    public async Task<ResumeResult> Resume(string? resumeToken, IReadOnlyList<RoomPosition>? positions)
    {
        EnsureNotRegistered();
        // Signed in, a token only resumes the account's own nickname, even in another user's hands.
        if (!ResumeTokens.TryParse(resumeToken, out var key, out var hash)
            || (accounts.SignInRequired && key != ChatRules.KeyOf(AccountNickname(null))))
        {
            throw new HubException(ChatErrors.SessionExpired);
        }

        var resumed = await CallAsync(() => Nickname(key).Resume(new ResumeRequest(hash, Context.ConnectionId, front.Id)));
        if (resumed.Nickname is null)
        {
            throw new HubException(ChatErrors.SessionExpired);
        }

        var session = new ConnectionSession(resumed.Nickname, key, resumed.SessionId, resumeToken!);
        Context.Items[SessionItem] = session;
        try
        {
            var rooms = new List<RoomJoined>(resumed.Rooms.Count);
            foreach (var room in resumed.Rooms)
            {
                var position = positions?.FirstOrDefault(p => p is not null && p.Room == room);
                try
                {
                    rooms.Add(await JoinAsync(session, room, position));
                }
                catch (HubException ex) when (ex.Message == ChatErrors.Banned)
                {
                    // Banned while away: the room is left out of the result, which tells the client it is not in it.
                }
            }

            users.Add(session, Context);
            metrics.Registered();
            return new ResumeResult(session.Nickname, session.ResumeToken, rooms);
        }
        catch
        {
            // The session stays with the grain (and its grace period); the client can resume again on a new try.
            foreach (var room in session.Rooms)
            {
                await relay.ReleaseAsync(room, Context.ConnectionId);
            }

            Context.Items.Remove(SessionItem);
            throw;
        }
    }

    /// <summary>Joins (or creates) a room and returns its members and latest messages.</summary>
    public Task<RoomJoined> JoinRoom(string? room) => JoinAsync(RequireSession(), RequireRoomName(room), position: null);

    /// <summary>Joins a room again from the last epoch and sequence seen, returning exactly what was missed.</summary>
    public Task<RoomJoined> RejoinRoom(string? room, string? epoch, long lastSeq)
    {
        var name = RequireRoomName(room);
        return JoinAsync(RequireSession(), name, new RoomPosition(name, epoch, lastSeq));
    }

    public async Task LeaveRoom(string? room)
    {
        var session = RequireSession();
        var name = RequireRoomName(room);
        if (!session.Rooms.Remove(name))
        {
            return;
        }

        await relay.ReleaseAsync(name, Context.ConnectionId);
        await CallAsync(() => Nickname(session.NicknameKey).LeaveRoom(new SessionRoomRequest(session.SessionId, name)));
    }

    /// <summary>
    /// Up to <paramref name="limit"/> of a room's members in nickname order, after <paramref name="after"/> (from the
    /// first when null): how a client pages past the first page a join returns.
    /// </summary>
    public async Task<MemberPageResult> Members(string? room, string? after, int limit)
    {
        var session = RequireSession();
        var name = RequireRoomName(room);
        await RequireMemberAsync(session, name);
        if (limit is < 1 or > MaxMemberPage || (after is not null && !ChatRules.TryNormalizeNickname(after, out _)))
        {
            throw new HubException(ChatErrors.InvalidMembersRequest);
        }

        var page = await CallAsync(() => Room(name).GetMembers(new MemberQuery(after, limit)));
        return new MemberPageResult(name, page.Count, page.Members, page.HasMore);
    }

    /// <summary>Rooms that have members, with their member counts.</summary>
    public async Task<IReadOnlyList<RoomListing>> ListRooms()
    {
        RequireSession();
        var rooms = await CallAsync(() => grains.GetGrain<IRoomDirectoryGrain>(0).List());
        return rooms.Select(r => new RoomListing(r.Room, r.Members)).ToList();
    }

    /// <summary>Seed method: sends to the default room.</summary>
    public Task<MessageAck> Message(string? text) => SendAsync(ChatRules.DefaultRoom, text);

    public Task<MessageAck> SendToRoom(string? room, string? text) => SendAsync(RequireRoomName(room), text);

    /// <summary>Up to <paramref name="limit"/> messages before <paramref name="beforeSeq"/> (latest if null), oldest first.</summary>
    public async Task<HistoryResult> History(string? room, long? beforeSeq, int limit)
    {
        var session = RequireSession();
        var name = RequireRoomName(room);
        await RequireMemberAsync(session, name);
        if (beforeSeq is <= 0 || limit is < 1 or > MaxHistoryPage)
        {
            throw new HubException(ChatErrors.InvalidHistoryRequest);
        }

        var range = await CallAsync(() => Room(name).GetMessages(
            new MessageQuery(1, (beforeSeq ?? long.MaxValue) - 1, limit)));
        var hasMore = range.Messages.Count > 0 && range.Messages[0].Seq > range.FirstSeq;
        return new HistoryResult(name, range.Epoch, range.Messages.Select(RoomStreamRelay.ToBroadcast).ToList(), hasMore);
    }

    /// <summary>Tells the room this user is typing. Calls closer together than the typing interval are dropped.</summary>
    public async Task Typing(string? room)
    {
        var session = RequireSession();
        var name = RequireRoomName(room);
        await RequireMemberAsync(session, name);
        var now = time.GetTimestamp();
        if (session.LastTyping.TryGetValue(name, out var last)
            && time.GetElapsedTime(last, now) < frontOptions.Value.TypingInterval)
        {
            return;
        }

        session.LastTyping[name] = now;
        await CallAsync(() => relay.PublishTypingAsync(name, session.Nickname));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.Disconnected();
        if (Session is not { } session)
        {
            return;
        }

        metrics.Unregistered();
        users.Remove(session, Context);
        foreach (var room in session.Rooms)
        {
            await relay.ReleaseAsync(room, Context.ConnectionId);
        }

        try
        {
            // The client closed the connection itself: it left, as in the seed. Otherwise the connection dropped (or
            // the front dropped it for not reading) and the session waits for the client to resume.
            var clean = exception is null
                && !Context.Items.ContainsKey(ConnectionOutbox.DroppedItem)
                && ConnectionCloseTracking.ClientClosed(Context.GetHttpContext());
            await Nickname(session.NicknameKey).Disconnect(
                new DisconnectRequest(session.SessionId, Context.ConnectionId, clean));
        }
        catch (Exception ex)
        {
            LogDisconnectFailed(ex, session.Nickname);
        }
    }

    private async Task<RoomJoined> JoinAsync(ConnectionSession session, string room, RoomPosition? position)
    {
        // A ban this connection has not settled yet is settled first, so the join starts clean and the room decides
        // (the ban may have been lifted since).
        await SettleBanAsync(session, room);
        var alreadyIn = session.Rooms.Contains(room);
        if (!alreadyIn)
        {
            await CallAsync(() => relay.AcquireAsync(room));
        }

        var joined = false;
        try
        {
            // Receiving the room (and caught up) before the join is announced, so the caller sees its own join.
            var slice = await CallAsync(() => relay.AttachAsync(room, Context.ConnectionId, position));
            var result = await CallAsync(() => Nickname(session.NicknameKey).JoinRoom(new SessionRoomRequest(session.SessionId, room)));
            if (result.Status != JoinStatus.Joined || result.Room is null)
            {
                if (result.Status == JoinStatus.Banned && session.Rooms.Remove(room))
                {
                    // Banned while in the room: the finally drops this connection's group and subscription too.
                    alreadyIn = false;
                }

                throw new HubException(result.Status switch
                {
                    JoinStatus.RoomFull => ChatErrors.RoomFull,
                    JoinStatus.TooManyRooms => ChatErrors.TooManyRooms,
                    JoinStatus.NicknameTaken => ChatErrors.NicknameTaken,
                    JoinStatus.InvalidNickname => ChatErrors.InvalidNickname,
                    JoinStatus.Banned => ChatErrors.Banned,
                    _ => ChatErrors.SessionExpired,
                });
            }

            joined = true;
            session.Rooms.Add(room);
            return new RoomJoined(
                room, result.Room.Members, slice.Epoch, slice.LastSeq, slice.Messages, slice.Recovered, result.Room.MemberCount);
        }
        finally
        {
            if (!joined && !alreadyIn)
            {
                await relay.ReleaseAsync(room, Context.ConnectionId);
            }
        }
    }

    private async Task<MessageAck> SendAsync(string room, string? text)
    {
        var session = Session ?? throw new HubException(ChatErrors.NotRegistered);
        await RequireMemberAsync(session, room);
        if (!ChatRules.TryNormalizeMessage(text, out var normalized))
        {
            throw new HubException(ChatErrors.InvalidMessage);
        }

        var request = new PostRequest(Guid.NewGuid(), session.Nickname, session.SessionId, normalized);
        var result = await CallAsync(() => Room(room).Post(request));
        metrics.MessageIn();
        if (result.Status == PostStatus.Banned)
        {
            // The ban's event has not reached this front yet: the room's answer settles it now.
            session.MarkBanned(room);
            await SettleBanAsync(session, room);
        }

        return result switch
        {
            { Status: PostStatus.Posted, Message: { } m } => new MessageAck(m.Id, m.Seq, room),
            { Status: PostStatus.InvalidMessage } => throw new HubException(ChatErrors.InvalidMessage),
            { Status: PostStatus.Banned } => throw new HubException(ChatErrors.Banned),
            _ => throw new HubException(ChatErrors.NotInRoom),
        };
    }

    /// <summary>Administrators only: ends the session holding a nickname, wherever its connection is.</summary>
    public async Task Kick(string? nickname)
    {
        var by = RequireAdmin();
        var name = RequireNickname(nickname);
        var result = await CallAsync(() => Nickname(ChatRules.KeyOf(name)).Kick(new ModerationRequest(name, by)));
        if (result.Status == ModerationStatus.NotFound)
        {
            throw new HubException(ChatErrors.NotOnline);
        }
    }

    /// <summary>Administrators only: takes a nickname out of a room and keeps it out until unbanned.</summary>
    public async Task Ban(string? room, string? nickname)
    {
        var by = RequireAdmin();
        var (name, target) = (RequireRoomName(room), RequireNickname(nickname));
        await CallAsync(() => Room(name).Ban(new ModerationRequest(target, by)));
    }

    /// <summary>Administrators only: lets a banned nickname join the room again.</summary>
    public async Task Unban(string? room, string? nickname)
    {
        var by = RequireAdmin();
        var (name, target) = (RequireRoomName(room), RequireNickname(nickname));
        await CallAsync(() => Room(name).Unban(new ModerationRequest(target, by)));
    }

    private void EnsureNotRegistered()
    {
        if (Session is not null)
        {
            throw new HubException(ChatErrors.AlreadyRegistered);
        }
    }

    /// <summary>
    /// Signed in, the nickname is the account's: <paramref name="requested"/> may be null (or blank) or name the
    /// same nickname in any case; another one is refused, so no user can take another's nickname.
    /// </summary>
    private string AccountNickname(string? requested)
    {
        var account = accounts.NicknameOf(Context.User) ?? throw new HubException(ChatErrors.InvalidNickname);
        if (!string.IsNullOrWhiteSpace(requested)
            && (!ChatRules.TryNormalizeNickname(requested, out var asked) || ChatRules.KeyOf(asked) != ChatRules.KeyOf(account)))
        {
            throw new HubException(ChatErrors.AccountNickname);
        }

        return account;
    }

    /// <summary>Refuses non-administrators; returns the administrator's nickname for the grains' log.</summary>
    private string RequireAdmin() =>
        accounts.IsAdmin(Context.User)
            ? accounts.NicknameOf(Context.User) ?? "an administrator without a nickname claim"
            : throw new HubException(ChatErrors.NotAdmin);

    private ConnectionSession RequireSession() => Session ?? throw new HubException(ChatErrors.NotRegistered);

    private static string RequireNickname(string? nickname) =>
        ChatRules.TryNormalizeNickname(nickname, out var name) ? name : throw new HubException(ChatErrors.InvalidNickname);

    private static string RequireRoomName(string? room) =>
        ChatRules.TryNormalizeRoom(room, out var name) ? name : throw new HubException(ChatErrors.InvalidRoom);

    private async Task RequireMemberAsync(ConnectionSession session, string room)
    {
        if (await SettleBanAsync(session, room))
        {
            throw new HubException(ChatErrors.Banned);
        }

        if (!session.Rooms.Contains(room))
        {
            throw new HubException(ChatErrors.NotInRoom);
        }
    }

    /// <summary>
    /// Takes this connection out of a room it was banned from (the room grain already took the member out, and the
    /// relay stopped sending it the room): off the relay's subscription. True if there was such a ban to settle.
    /// </summary>
    private async Task<bool> SettleBanAsync(ConnectionSession session, string room)
    {
        if (!session.TakeBan(room) || !session.Rooms.Remove(room))
        {
            return false;
        }

        await relay.ReleaseAsync(room, Context.ConnectionId);
        return true;
    }

    private INicknameGrain Nickname(string key) => grains.GetGrain<INicknameGrain>(key);

    private IChatRoomGrain Room(string room) => grains.GetGrain<IChatRoomGrain>(room);

    /// <summary>
    /// Grains answer bad requests with a status, never an exception, so an exception is the infrastructure (a silo
    /// died, a call timed out): the call is retried, and if that fails too it becomes a clear error for the caller
    /// instead of SignalR's generic one; the details go to the log.
    /// </summary>
    private Task CallAsync(Func<Task> call) => CallAsync(async () =>
    {
        await call();
        return true;
    });

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(frontOptions.Value.GrainCallAttemptTimeout, time);
            }
            catch (Exception ex) when (ex is not HubException && attempt < MaxAttempts && !Context.ConnectionAborted.IsCancellationRequested)
            {
                LogGrainCallRetried(ex, Context.ConnectionId, attempt);
                await Task.Delay(RetryBackoff * attempt, time);
            }
            catch (Exception ex) when (ex is not HubException)
            {
                LogGrainCallFailed(ex, Context.ConnectionId);
                throw new HubException(ChatErrors.Unavailable);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ending or detaching the session of {Nickname} failed")]
    private partial void LogDisconnectFailed(Exception exception, string nickname);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A grain call for connection {ConnectionId} failed (attempt {Attempt}); retrying")]
    private partial void LogGrainCallRetried(Exception exception, string connectionId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "A grain call for connection {ConnectionId} failed")]
    private partial void LogGrainCallFailed(Exception exception, string connectionId);
}
