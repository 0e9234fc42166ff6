using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Security;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// Direct conversations as the hub handles them. A conversation is a room whose name no public room can have
/// (<see cref="ConversationIds"/>), and whose room admits only its participants (<see cref="IConversationGrain"/>), so
/// everything a room does works for it unchanged. Opening one joins the opener as <see cref="RoomJoins"/> joins any
/// room, and every other participant's session through its nickname grain, whose change reaches each of their
/// connections on every front as a room joined on another tab does (<see cref="SessionMirror"/>).
/// </summary>
public sealed partial class DirectConversations(
    IGrainFactory grains,
    RoomJoins joins,
    ReadMarks reads,
    GrainCalls calls,
    ChatAccounts accounts,
    IOptions<ConversationOptions> options,
    ILogger<DirectConversations> logger)
{
    public async Task<ConversationOpened> OpenAsync(HubCallerContext caller, ConnectionSession session, IReadOnlyList<string?>? nicknames)
    {
        var named = OthersNamed(session, nicknames);
        var holders = await Task.WhenAll(named.Select(key =>
            calls.CallAsync(caller, () => grains.GetGrain<INicknameGrain>(key).GetSession())));
        if (holders.Any(holder => holder is null))
        {
            throw new HubException(ChatErrors.NotOnline);
        }

        var me = MemberOf(session.Nickname, session.NicknameKey, session.SessionId);
        var others = holders.Select((holder, i) => (Member: MemberOf(holder!.Nickname, named[i], holder.SessionId), holder!.SessionId)).ToList();
        var room = others.Count == 1 ? ConversationIds.Pair(me, others[0].Member) : ConversationIds.NewGroup();
        var request = new OpenConversationRequest([me, .. others.Select(o => o.Member)]);
        var opened = await calls.CallAsync(caller, () => grains.GetGrain<IConversationGrain>(room).Open(request));
        if (!opened.Exists)
        {
            throw new HubException(ChatErrors.InvalidConversation);
        }

        var joined = await joins.JoinAsync(caller, session, room, position: null);
        await Task.WhenAll(others.Select(other => BringInAsync(other.Member, other.SessionId, room)));
        return new ConversationOpened(joined, opened.Members.Select(m => m.Nickname).ToList());
    }

    /// <summary>The user's conversations, each with its participants, last message and the user's read position.</summary>
    public async Task<IReadOnlyList<ConversationListing>> ListAsync(HubCallerContext caller, ConnectionSession session)
    {
        var rooms = await calls.CallAsync(caller, () => List(session).Get(new ConversationListQuery(OwnerOf(session))));
        var positions = await reads.PositionsAsync(caller, session);
        return await Task.WhenAll(rooms.Rooms.Select(async room =>
        {
            var members = await calls.CallAsync(caller, () => grains.GetGrain<IConversationGrain>(room).GetMembers());
            var bounds = await calls.CallAsync(caller, () => grains.GetGrain<IChatRoomGrain>(room).GetMessages(RoomSubscription.Bounds));
            return new ConversationListing(room, members.Members.Select(m => m.Nickname).ToList(), bounds.LastSeq, positions.SeqOf(room));
        }));
    }

    /// <summary>
    /// A signed-in user's new session enters the account's conversations, as it enters <c>geral</c>: what was said
    /// while the user was away is there, unread, on the first page. An anonymous session starts with none (they were
    /// the last session's). The session has started already, so nothing here fails it: a conversation that cannot be
    /// entered now is logged, and stays on the list (<see cref="ListAsync"/>) for the client to join.
    /// </summary>
    public async Task<List<RoomJoined>> JoinOnStartAsync(HubCallerContext caller, ConnectionSession session)
    {
        var joined = new List<RoomJoined>();
        if (!accounts.SignInRequired)
        {
            return joined;
        }

        try
        {
            var rooms = await calls.CallAsync(caller, () => List(session).Get(new ConversationListQuery(ReadOwner.Account)));
            var positions = rooms.Rooms.Count == 0 ? null : await reads.PositionsAsync(caller, session);
            foreach (var room in rooms.Rooms.Where(room => !session.IsIn(room)))
            {
                try
                {
                    joined.Add(await joins.JoinAsync(caller, session, room, position: null, positions));
                }
                catch (HubException ex)
                {
                    LogNotEntered(session.Nickname, room, ex.Message);
                }
            }
        }
        catch (HubException ex)
        {
            LogListUnread(session.Nickname, ex.Message);
        }

        return joined;
    }

    /// <summary>
    /// The other nicknames named, by key: valid, each once, not the caller's, and fewer than the limit. Checked whole
    /// before any grain is asked.
    /// </summary>
    private List<string> OthersNamed(ConnectionSession session, IReadOnlyList<string?>? nicknames)
    {
        if (nicknames is null || nicknames.Count == 0)
        {
            throw new HubException(ChatErrors.InvalidConversation);
        }

        if (nicknames.Count >= options.Value.MaxMembers)
        {
            throw new HubException(ChatErrors.ConversationTooBig);
        }

        var keys = new List<string>(nicknames.Count);
        foreach (var nickname in nicknames)
        {
            if (!ChatRules.TryNormalizeNickname(nickname, out var name))
            {
                throw new HubException(ChatErrors.InvalidNickname);
            }

            var key = ChatRules.KeyOf(name);
            if (key == session.NicknameKey)
            {
                throw new HubException(ChatErrors.ConversationWithYourself);
            }

            if (keys.Contains(key))
            {
                throw new HubException(ChatErrors.InvalidConversation);
            }

            keys.Add(key);
        }

        return keys;
    }

    /// <summary>
    /// Joins another participant's session. A session that ended meanwhile, or a join that failed, is logged: the
    /// conversation is on the participant's list (<see cref="ListAsync"/>), from which a client can join it.
    /// </summary>
    private async Task BringInAsync(ConversationMember member, Guid sessionId, string room)
    {
        try
        {
            var result = await grains.GetGrain<INicknameGrain>(member.UserKey).JoinRoom(new SessionRoomRequest(sessionId, room));
            if (result.Status != JoinStatus.Joined)
            {
                LogNotBroughtIn(member.Nickname, room, result.Status.ToString());
            }
        }
        catch (Exception ex)
        {
            LogNotBroughtIn(member.Nickname, room, ex.GetType().Name);
        }
    }

    /// <summary>Participants are owners, as read positions are (<see cref="ReadOwner"/>): the account, or the session.</summary>
    private ConversationMember MemberOf(string nickname, string userKey, Guid sessionId) =>
        new(nickname, userKey, accounts.OwnerOf(sessionId));

    private Guid OwnerOf(ConnectionSession session) => accounts.OwnerOf(session.SessionId);

    private IConversationListGrain List(ConnectionSession session) => grains.GetGrain<IConversationListGrain>(session.NicknameKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} could not be brought into conversation {Room}: {Reason}")]
    private partial void LogNotBroughtIn(string nickname, string room, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The conversations of {Nickname} could not be read at the start of a session: {Reason}")]
    private partial void LogListUnread(string nickname, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Nickname} could not enter conversation {Room} at the start of a session: {Reason}")]
    private partial void LogNotEntered(string nickname, string room, string reason);
}
