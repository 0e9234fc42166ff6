using Microsoft.AspNetCore.SignalR;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Security;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// Edits, deletes and reactions as the hub handles them: the room checks and applies them (<see cref="IChatRoomGrain.Edit"/>
/// and the others) and numbers each as an entry of its own, which the relay sends every member as
/// <c>message_updated</c>; the caller gets the message's new state back, or the error its status names.
/// </summary>
public sealed class MessageChanges(IGrainFactory grains, GrainCalls calls, RoomJoins joins, ChatAccounts accounts)
{
    public Task<MessageUpdatedEvent> EditAsync(HubCallerContext caller, ConnectionSession session, string room, long seq, string text) =>
        ApplyAsync(caller, session, room, seq, grain => grain.Edit(
            new EditRequest(seq, session.Nickname, session.SessionId, accounts.OwnerOf(session.SessionId), text)));

    /// <summary>
    /// An administrator deletes any message of any room, in it or not (<paramref name="moderator"/>, their nickname);
    /// anyone else only their own, in a room they are in.
    /// </summary>
    public Task<MessageUpdatedEvent> DeleteAsync(HubCallerContext caller, ConnectionSession? session, string? moderator, string room, long seq)
    {
        var request = new DeleteRequest(
            seq, session?.Nickname ?? string.Empty, session?.SessionId ?? Guid.Empty,
            session is null ? Guid.Empty : accounts.OwnerOf(session.SessionId), moderator);
        return ApplyAsync(caller, session, room, seq, grain => grain.Delete(request), moderator);
    }

    public Task<MessageUpdatedEvent> ReactAsync(HubCallerContext caller, ConnectionSession session, string room, long seq, string emoji, bool on) =>
        ApplyAsync(caller, session, room, seq, grain => grain.React(new ReactRequest(seq, session.Nickname, session.SessionId, emoji, on)));

    private async Task<MessageUpdatedEvent> ApplyAsync(
        HubCallerContext caller, ConnectionSession? session, string room, long seq, Func<IChatRoomGrain, Task<AmendResult>> amend, string? moderator = null)
    {
        if (seq < 1)
        {
            throw new HubException(ChatErrors.MessageNotFound);
        }

        var grain = grains.GetGrain<IChatRoomGrain>(room);
        var result = await calls.CallAsync(caller, () => amend(grain));
        return result switch
        {
            { Status: AmendStatus.Done, Message: { } message } =>
                MessageUpdatedEvent.Of(message, moderator ?? session?.Nickname ?? string.Empty),
            { Status: AmendStatus.NotFound } => throw new HubException(ChatErrors.MessageNotFound),
            { Status: AmendStatus.NotAuthor } => throw new HubException(ChatErrors.NotYourMessage),
            { Status: AmendStatus.InvalidMessage } => throw new HubException(ChatErrors.InvalidMessage),
            { Status: AmendStatus.InvalidReaction } => throw new HubException(ChatErrors.InvalidReaction),
            { Status: AmendStatus.TooManyReactions } => throw new HubException(ChatErrors.TooManyReactions),
            { Status: AmendStatus.Banned } when session is not null => throw await joins.BannedAsync(session, room),
            _ => throw new HubException(ChatErrors.NotInRoom),
        };
    }
}
