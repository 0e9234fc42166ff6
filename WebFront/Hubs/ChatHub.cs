using Microsoft.AspNetCore.SignalR;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Diagnostics;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Security;
using ResumeResult = OrleansChat.WebFront.Protocol.ResumeResult;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// The browser's door into the chat, with the original's vocabulary (<c>Register</c>, <c>Message</c>) and the rooms,
/// history and resume methods beyond it. It checks its arguments and forwards: sessions to
/// <see cref="SessionStarts"/>, rooms to <see cref="RoomJoins"/>, the rest to grains through <see cref="GrainCalls"/>.
/// Room events come back to browsers through <see cref="RoomStreamRelay"/>, never from here. Every method names its
/// rate limit.
/// </summary>
public sealed class ChatHub(
    IGrainFactory grains,
    SessionStarts starts,
    RoomJoins joins,
    ReadMarks reads,
    MessageChanges changes,
    DirectConversations conversations,
    GrainCalls calls,
    RoomStreamRelay relay,
    TypingThrottle typing,
    ChatAccounts accounts,
    ConnectionHandback handback,
    ConnectionCloseTracking closes,
    ChatMetrics metrics) : Hub
{
    private const int MaxHistoryPage = 100;
    private const int MaxMemberPage = 200;

    public override Task OnConnectedAsync()
    {
        metrics.Connected();
        closes.Remember(Context);
        return Task.CompletedTask;
    }

    /// <summary>Original method: takes a nickname for this connection and joins the default room.</summary>
    [RateLimited(RateBucket.Other)]
    public Task<RegisterResult> Register(string? nickname)
    {
        EnsureNotRegistered();
        return starts.RegisterAsync(Context, nickname);
    }

    /// <summary>Takes back a session after a reconnect, within the grace period (<see cref="SessionStarts.ResumeAsync"/>).</summary>
    [RateLimited(RateBucket.Other)]
    public Task<ResumeResult> Resume(string? resumeToken, IReadOnlyList<RoomPosition>? positions)
    {
        EnsureNotRegistered();
        return starts.ResumeAsync(Context, resumeToken, positions);
    }

    /// <summary>Joins (or creates) a room and returns its members and latest messages.</summary>
    [RateLimited(RateBucket.Joins)]
    public Task<RoomJoined> JoinRoom(string? room) => joins.JoinAsync(Context, RequireSession(), RequireRoomName(room), position: null);

    /// <summary>Joins a room again from the last epoch and sequence seen, returning exactly what was missed.</summary>
    [RateLimited(RateBucket.Joins)]
    public Task<RoomJoined> RejoinRoom(string? room, string? epoch, long lastSeq)
    {
        var name = RequireRoomName(room);
        return joins.JoinAsync(Context, RequireSession(), name, new RoomPosition(name, epoch, lastSeq));
    }

    [RateLimited(RateBucket.Joins)]
    public Task LeaveRoom(string? room) => joins.LeaveAsync(Context, RequireSession(), RequireRoomName(room));

    /// <summary>
    /// Up to <paramref name="limit"/> of a room's members in nickname order, after <paramref name="after"/> (from the
    /// first when null): how a client pages past the first page a join returns.
    /// </summary>
    [RateLimited(RateBucket.Other)]
    public async Task<MemberPageResult> Members(string? room, string? after, int limit)
    {
        var (_, name) = RequireMember(room);
        if (limit is < 1 or > MaxMemberPage || (after is not null && !ChatRules.TryNormalizeNickname(after, out _)))
        {
            throw new HubException(ChatErrors.InvalidMembersRequest);
        }

        var page = await calls.CallAsync(Context, () => Room(name).GetMembers(new MemberQuery(after, limit)));
        return new MemberPageResult(name, page.Count, page.Members, page.HasMore);
    }

    /// <summary>Rooms that have members, with their member counts.</summary>
    [RateLimited(RateBucket.Other)]
    public async Task<IReadOnlyList<RoomListing>> ListRooms()
    {
        RequireSession();
        var rooms = await calls.CallAsync(Context, () => grains.GetGrain<IRoomDirectoryGrain>(0).List());
        return rooms.Select(r => new RoomListing(r.Room, r.Members)).ToList();
    }

    /// <summary>Original method: sends to the default room.</summary>
    [RateLimited(RateBucket.Messages)]
    public Task<MessageAck> Message(string? text) => SendAsync(ChatRules.DefaultRoom, text);

    [RateLimited(RateBucket.Messages)]
    public Task<MessageAck> SendToRoom(string? room, string? text) => SendAsync(RequireRoomName(room), text);

    /// <summary>
    /// <c>SendToRoom</c> made safe to repeat: the client names the message with a GUID of its own, and a repeat is
    /// answered with the first one's acknowledgement, never stored or broadcast again. <paramref name="afterSeq"/> is
    /// the room's last sequence number the client had seen when the message was written; the room refuses the send
    /// when it can no longer recognise ids that old. A separate name because SignalR binds by name and argument count,
    /// with no overloads or optional parameters: <c>SendToRoom</c> keeps its two arguments.
    /// </summary>
    [RateLimited(RateBucket.Messages)]
    public Task<MessageAck> SendToRoomOnce(string? room, string? text, string? messageId, long afterSeq)
    {
        var name = RequireRoomName(room);
        if (!Guid.TryParseExact(messageId, "D", out var id) || id == Guid.Empty || afterSeq < 0)
        {
            throw new HubException(ChatErrors.InvalidMessageId);
        }

        return SendAsync(name, text, id, afterSeq);
    }

    /// <summary>Up to <paramref name="limit"/> messages before <paramref name="beforeSeq"/> (latest if null), oldest first.</summary>
    [RateLimited(RateBucket.Other)]
    public async Task<HistoryResult> History(string? room, long? beforeSeq, int limit)
    {
        var (_, name) = RequireMember(room);
        if (beforeSeq is <= 0 || limit is < 1 or > MaxHistoryPage)
        {
            throw new HubException(ChatErrors.InvalidHistoryRequest);
        }

        var range = await calls.CallAsync(Context, () => Room(name).GetMessages(
            new MessageQuery(1, (beforeSeq ?? long.MaxValue) - 1, limit, MessagesOnly: true)));
        var hasMore = range.Messages.Count > 0 && range.Messages[0].Seq > range.FirstSeq;
        return new HistoryResult(name, range.Epoch, range.Messages.Select(BroadcastMessage.From).ToList(), hasMore);
    }

    /// <summary>Tells the room this user is typing. Calls closer together than the typing interval are dropped.</summary>
    [RateLimited(RateBucket.Other)]
    public async Task Typing(string? room)
    {
        var (session, name) = RequireMember(room);
        if (typing.Admit(session, name))
        {
            await calls.CallAsync(Context, () => relay.PublishTypingAsync(name, session.Nickname));
        }
    }

    /// <summary>
    /// The user has read the room up to <paramref name="seq"/>, on this device: every connection of the user hears of it
    /// (<c>read_position</c>), and joins on any device return it. A mark at or below the user's position does nothing.
    /// </summary>
    [RateLimited(RateBucket.Other)]
    public Task MarkRead(string? room, long seq)
    {
        var (session, name) = RequireMember(room);
        return reads.MarkAsync(Context, session, name, seq);
    }

    /// <summary>
    /// Changes the text of one of the caller's own messages, by its <paramref name="seq"/>. Every member, the caller
    /// included, is sent <c>message_updated</c>; the call returns the same new state.
    /// </summary>
    [RateLimited(RateBucket.Messages)]
    public Task<MessageUpdatedEvent> EditMessage(string? room, long seq, string? text)
    {
        var (session, name) = RequireMember(room);
        return ChatRules.TryNormalizeMessage(text, out var normalized)
            ? changes.EditAsync(Context, session, name, seq, normalized)
            : throw new HubException(ChatErrors.InvalidMessage);
    }

    /// <summary>
    /// Deletes one of the caller's own messages, which stays in its place as a tombstone; an administrator deletes
    /// anyone's, in any room.
    /// </summary>
    [RateLimited(RateBucket.Messages)]
    public Task<MessageUpdatedEvent> DeleteMessage(string? room, long seq)
    {
        if (accounts.IsAdmin(Context.User))
        {
            return changes.DeleteAsync(Context, SessionStarts.Of(Context), RequireAdmin(), RequireRoomName(room), seq);
        }

        var (session, name) = RequireMember(room);
        return changes.DeleteAsync(Context, session, moderator: null, name, seq);
    }

    /// <summary>
    /// Puts a reaction (<paramref name="emoji"/>, one of a fixed set) on a message, or takes it off with
    /// <paramref name="on"/> false. Asking for what already is changes nothing, so a retry is harmless.
    /// </summary>
    [RateLimited(RateBucket.Messages)]
    public Task<MessageUpdatedEvent> React(string? room, long seq, string? emoji, bool on)
    {
        var (session, name) = RequireMember(room);
        return ChatRules.IsReaction(emoji)
            ? changes.ReactAsync(Context, session, name, seq, emoji!, on)
            : throw new HubException(ChatErrors.InvalidReaction);
    }

    /// <summary>Administrators only: ends the session holding a nickname, wherever its connection is.</summary>
    [RateLimited(RateBucket.Other)]
    public async Task Kick(string? nickname)
    {
        var by = RequireAdmin();
        var name = RequireNickname(nickname);
        var result = await calls.CallAsync(Context, () => grains.GetGrain<INicknameGrain>(ChatRules.KeyOf(name)).Kick(new ModerationRequest(name, by)));
        if (result.Status == ModerationStatus.NotFound)
        {
            throw new HubException(ChatErrors.NotOnline);
        }
    }

    /// <summary>Administrators only: takes a nickname out of a room and keeps it out until unbanned.</summary>
    [RateLimited(RateBucket.Other)]
    public async Task Ban(string? room, string? nickname)
    {
        var by = RequireAdmin();
        var (name, target) = (RequireRoomName(room), RequireNickname(nickname));
        await calls.CallAsync(Context, () => Room(name).Ban(new ModerationRequest(target, by)));
    }

    /// <summary>Administrators only: lets a banned nickname join the room again.</summary>
    [RateLimited(RateBucket.Other)]
    public async Task Unban(string? room, string? nickname)
    {
        var by = RequireAdmin();
        var (name, target) = (RequireRoomName(room), RequireNickname(nickname));
        await calls.CallAsync(Context, () => Room(name).Unban(new ModerationRequest(target, by)));
    }

    /// <summary>
    /// Opens a direct conversation with the users named (every one online now) and joins everyone in it: the caller
    /// gets the conversation as a join returns it, the others <c>room_joined</c> on each of their connections. The
    /// same two people always get the same conversation; a group is new each time. Counted with joins.
    /// </summary>
    [RateLimited(RateBucket.Joins)]
    public Task<ConversationOpened> OpenConversation(string?[]? nicknames) =>
        conversations.OpenAsync(Context, RequireSession(), nicknames);

    /// <summary>The user's direct conversations, with what a client needs for their unread counts.</summary>
    [RateLimited(RateBucket.Other)]
    public Task<IReadOnlyList<ConversationListing>> Conversations() => conversations.ListAsync(Context, RequireSession());

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.Disconnected();
        var goodbye = closes.End(Context);
        if (SessionStarts.Of(Context) is { } session)
        {
            // The server's own reasons to close (stopping, a client not reading, an expired sign-in) are drops
            // whatever the client did: it is expected back.
            var forced = exception is not null
                || handback.Stopping
                || Context.Items.ContainsKey(ConnectionOutbox.DroppedItem)
                || accounts.SignInExpired(Context.GetHttpContext());
            await starts.EndAsync(session, forced ? ClientGoodbye.None : goodbye);
        }
    }

    private async Task<MessageAck> SendAsync(string room, string? text, Guid? messageId = null, long? afterSeq = null)
    {
        var session = RequireSession();
        RoomJoins.RequireMember(session, room);
        if (!ChatRules.TryNormalizeMessage(text, out var normalized))
        {
            throw new HubException(ChatErrors.InvalidMessage);
        }

        var request = new PostRequest(
            messageId ?? Guid.NewGuid(), session.Nickname, session.SessionId, normalized, relay.SeenSeq(room), afterSeq,
            accounts.OwnerOf(session.SessionId));
        using var activity = ChatActivities.StartSend(room);
        var result = await calls.CallAsync(Context, () => Room(room).Post(request));
        activity?.SetTag("chat.status", result.Status.ToString());
        activity?.SetTag("chat.seq", result.Message?.Seq);
        metrics.MessageIn();
        return result switch
        {
            { Status: PostStatus.Posted, Message: { } m } => new MessageAck(m.Id, m.Seq, room),
            { Status: PostStatus.InvalidMessage } => throw new HubException(ChatErrors.InvalidMessage),
            { Status: PostStatus.Banned } => throw await joins.BannedAsync(session, room),
            { Status: PostStatus.IdTaken } => throw new HubException(ChatErrors.MessageIdTaken),
            { Status: PostStatus.TooLate } => throw new HubException(ChatErrors.TooLateToSendOnce),
            _ => throw new HubException(ChatErrors.NotInRoom),
        };
    }

    private void EnsureNotRegistered()
    {
        if (SessionStarts.Of(Context) is not null)
        {
            throw new HubException(ChatErrors.AlreadyRegistered);
        }
    }

    /// <summary>Refuses non-administrators; returns the administrator's nickname for the grains' log.</summary>
    private string RequireAdmin() =>
        accounts.IsAdmin(Context.User)
            ? accounts.NicknameOf(Context.User) ?? "an administrator without a nickname claim"
            : throw new HubException(ChatErrors.NotAdmin);

    private ConnectionSession RequireSession() => SessionStarts.Of(Context) ?? throw new HubException(ChatErrors.NotRegistered);

    /// <summary>The connection's session and the room's name, if the session is in the room.</summary>
    private (ConnectionSession Session, string Room) RequireMember(string? room)
    {
        var session = RequireSession();
        var name = RequireRoomName(room);
        RoomJoins.RequireMember(session, name);
        return (session, name);
    }

    private static string RequireNickname(string? nickname) =>
        ChatRules.TryNormalizeNickname(nickname, out var name) ? name : throw new HubException(ChatErrors.InvalidNickname);

    /// <summary>
    /// A public room's normalised name, or a direct conversation's (exactly as the server made it): a conversation is
    /// a room, so every room method takes one, and its room admits only its participants.
    /// </summary>
    private static string RequireRoomName(string? room) =>
        ChatRules.IsConversation(room) ? room!
        : ChatRules.TryNormalizeRoom(room, out var name) ? name
        : throw new HubException(ChatErrors.InvalidRoom);

    private IChatRoomGrain Room(string room) => grains.GetGrain<IChatRoomGrain>(room);
}
