using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OrleansChat.Grains;
using OrleansChat.WebFront.Hubs.Internal;
using OrleansChat.WebFront.Relay;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// The browser's door into the chat, with the seed's vocabulary (<c>Register</c>, <c>Message</c>) and the rooms,
/// history and resume methods beyond it. It validates, forwards to grains and returns; room events come back to
/// browsers through <see cref="RoomStreamRelay"/>, never from here.
/// </summary>
public sealed partial class ChatHub(
    IGrainFactory grains,
    RoomStreamRelay relay,
    FrontIdentity front,
    LiveConnections connections,
    IOptions<ChatFrontOptions> frontOptions,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger<ChatHub> logger) : Hub
{
    private const string SessionItem = "session";
    private const int MaxHistoryPage = 100;

    /// <summary>
    /// Grain calls are tried this often. Every call the hub makes is idempotent (posts carry their message id,
    /// claims their token), so a call lost with a dying silo is simply made again once the cluster has moved on.
    /// </summary>
    private const int MaxAttempts = 3;

    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(250);

    public override Task OnConnectedAsync()
    {
        metrics.Connected();
        connections.Add(Context);
        return Task.CompletedTask;
    }

    private ConnectionSession? Session =>
        Context.Items.TryGetValue(SessionItem, out var value) ? value as ConnectionSession : null;

    /// <summary>Seed method: takes a nickname for this connection and joins the default room.</summary>
    public async Task<RegisterResult> Register(string? nickname)
    {
        EnsureNotRegistered();
        if (!ChatRules.TryNormalizeNickname(nickname, out var normalized))
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
        if (!ResumeTokens.TryParse(resumeToken, out var key, out var hash))
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
                rooms.Add(await JoinAsync(session, room, position));
            }

            metrics.Registered();
            return new ResumeResult(session.Nickname, session.ResumeToken, rooms);
        }
        catch
        {
            // The session stays with the grain (and its grace period); the client can resume again on a new try.
            foreach (var room in session.Rooms)
            {
                await relay.ReleaseAsync(room);
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

        await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoomStreamRelay.GroupOf(name));
        await relay.ReleaseAsync(name);
        await CallAsync(() => Nickname(session.NicknameKey).LeaveRoom(new SessionRoomRequest(session.SessionId, name)));
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
        RequireMember(session, name);
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
        RequireMember(session, name);
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
        connections.Remove(Context);
        if (Session is not { } session)
        {
            return;
        }

        metrics.Unregistered();
        foreach (var room in session.Rooms)
        {
            await relay.ReleaseAsync(room);
        }

        try
        {
            // The client closed the connection itself: it left, as in the seed. Otherwise the connection dropped and
            // the session waits for the client to resume.
            var clean = exception is null && ConnectionCloseTracking.ClientClosed(Context.GetHttpContext());
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
        var alreadyIn = session.Rooms.Contains(room);
        if (!alreadyIn)
        {
            await CallAsync(() => relay.AcquireAsync(room));
        }

        var joined = false;
        try
        {
            // In the group (and caught up) before the join is announced, so the caller sees its own join.
            var slice = await CallAsync(() => relay.AttachAsync(room, Context.ConnectionId, position));
            var result = await CallAsync(() => Nickname(session.NicknameKey).JoinRoom(new SessionRoomRequest(session.SessionId, room)));
            if (result.Status != JoinStatus.Joined || result.Room is null)
            {
                throw new HubException(result.Status switch
                {
                    JoinStatus.RoomFull => ChatErrors.RoomFull,
                    JoinStatus.TooManyRooms => ChatErrors.TooManyRooms,
                    JoinStatus.NicknameTaken => ChatErrors.NicknameTaken,
                    JoinStatus.InvalidNickname => ChatErrors.InvalidNickname,
                    _ => ChatErrors.SessionExpired,
                });
            }

            joined = true;
            session.Rooms.Add(room);
            return new RoomJoined(room, result.Room.Members, slice.Epoch, slice.LastSeq, slice.Messages, slice.Recovered);
        }
        finally
        {
            if (!joined && !alreadyIn)
            {
                await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoomStreamRelay.GroupOf(room));
                await relay.ReleaseAsync(room);
            }
        }
    }

    private async Task<MessageAck> SendAsync(string room, string? text)
    {
        var session = Session ?? throw new HubException(ChatErrors.NotRegistered);
        RequireMember(session, room);
        if (!ChatRules.TryNormalizeMessage(text, out var normalized))
        {
            throw new HubException(ChatErrors.InvalidMessage);
        }

        var request = new PostRequest(Guid.NewGuid(), session.Nickname, session.SessionId, normalized);
        var result = await CallAsync(() => Room(room).Post(request));
        metrics.MessageIn();
        return result switch
        {
            { Status: PostStatus.Posted, Message: { } m } => new MessageAck(m.Id, m.Seq, room),
            { Status: PostStatus.InvalidMessage } => throw new HubException(ChatErrors.InvalidMessage),
            _ => throw new HubException(ChatErrors.NotInRoom),
        };
    }

    private void EnsureNotRegistered()
    {
        if (Session is not null)
        {
            throw new HubException(ChatErrors.AlreadyRegistered);
        }
    }

    private ConnectionSession RequireSession() => Session ?? throw new HubException(ChatErrors.NotRegistered);

    private static string RequireRoomName(string? room) =>
        ChatRules.TryNormalizeRoom(room, out var name) ? name : throw new HubException(ChatErrors.InvalidRoom);

    private static void RequireMember(ConnectionSession session, string room)
    {
        if (!session.Rooms.Contains(room))
        {
            throw new HubException(ChatErrors.NotInRoom);
        }
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
