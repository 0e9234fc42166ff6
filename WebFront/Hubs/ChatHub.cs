using Microsoft.AspNetCore.SignalR;
using OrleansChat.Grains;
using OrleansChat.WebFront.Relay;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// The browser's door into the chat, with the seed's vocabulary. It validates, forwards to the room grain and
/// returns; events come back to browsers through <see cref="RoomStreamRelay"/>, never from here.
/// </summary>
public sealed partial class ChatHub(
    IGrainFactory grains,
    RoomStreamRelay relay,
    FrontIdentity front,
    ILogger<ChatHub> logger) : Hub
{
    private const string NicknameItem = "nickname";

    public async Task<RegisterResult> Register(string? nickname)
    {
        if (RegisteredNickname is not null)
        {
            throw new HubException(ChatErrors.AlreadyRegistered);
        }

        if (!ChatRules.TryNormalizeNickname(nickname, out var normalized))
        {
            throw new HubException(ChatErrors.InvalidNickname);
        }

        var room = ChatRules.DefaultRoom;

        // In the group before the join is published, so the caller is sure to see its own join notice.
        await relay.AcquireAsync(room);
        await Groups.AddToGroupAsync(Context.ConnectionId, RoomStreamRelay.GroupOf(room));
        var joined = false;
        try
        {
            var result = await CallRoomAsync(room, r => r.Join(new JoinRequest(normalized, Context.ConnectionId, front.Id)));
            joined = result.Status == JoinStatus.Joined;
            return result.Status switch
            {
                JoinStatus.Joined => Remember(result.Nickname, room),
                JoinStatus.NicknameTaken => throw new HubException(ChatErrors.NicknameTaken),
                _ => throw new HubException(ChatErrors.InvalidNickname),
            };
        }
        finally
        {
            if (!joined)
            {
                await Groups.RemoveFromGroupAsync(Context.ConnectionId, RoomStreamRelay.GroupOf(room));
                await relay.ReleaseAsync(room);
            }
        }
    }

    public async Task<MessageAck> Message(string? text)
    {
        if (RegisteredNickname is not { } nickname)
        {
            throw new HubException(ChatErrors.NotRegistered);
        }

        if (!ChatRules.TryNormalizeMessage(text, out var normalized))
        {
            throw new HubException(ChatErrors.InvalidMessage);
        }

        var request = new PostRequest(Guid.NewGuid(), nickname, Context.ConnectionId, normalized);
        var result = await CallRoomAsync(ChatRules.DefaultRoom, r => r.Post(request));
        return result switch
        {
            { Status: PostStatus.Posted, Message: { } m } => new MessageAck(m.Id, m.Seq),
            { Status: PostStatus.InvalidMessage } => throw new HubException(ChatErrors.InvalidMessage),
            _ => throw new HubException(ChatErrors.NotRegistered),
        };
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (RegisteredNickname is not { } nickname)
        {
            return;
        }

        var room = ChatRules.DefaultRoom;
        try
        {
            await grains.GetGrain<IChatRoomGrain>(room).Leave(new LeaveRequest(nickname, Context.ConnectionId));
        }
        catch (Exception ex)
        {
            LogLeaveFailed(ex, nickname, room);
        }
        finally
        {
            await relay.ReleaseAsync(room);
        }
    }

    private string? RegisteredNickname =>
        Context.Items.TryGetValue(NicknameItem, out var value) ? value as string : null;

    private RegisterResult Remember(string nickname, string room)
    {
        Context.Items[NicknameItem] = nickname;
        return new RegisterResult(nickname, room);
    }

    /// <summary>
    /// A grain call that fails for infrastructure reasons (silo down, timeout) becomes a clear, retryable error for
    /// the caller instead of SignalR's generic one; the details go to the log.
    /// </summary>
    private async Task<T> CallRoomAsync<T>(string room, Func<IChatRoomGrain, Task<T>> call)
    {
        try
        {
            return await call(grains.GetGrain<IChatRoomGrain>(room));
        }
        catch (Exception ex) when (ex is not HubException)
        {
            LogRoomCallFailed(ex, room);
            throw new HubException(ChatErrors.Unavailable);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing {Nickname} from room {Room} on disconnect failed")]
    private partial void LogLeaveFailed(Exception exception, string nickname, string room);

    [LoggerMessage(Level = LogLevel.Error, Message = "A call to room {Room} failed")]
    private partial void LogRoomCallFailed(Exception exception, string room);
}
