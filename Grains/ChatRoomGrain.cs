using Microsoft.Extensions.Logging;
using Orleans.Streams;
using OrleansChat.Grains.Events;

namespace OrleansChat.Grains;

/// <summary>
/// A chat room. Non-reentrant on purpose: one call at a time is what makes sequence numbers gapless and events
/// leave in the order they were decided.
/// </summary>
public sealed partial class ChatRoomGrain(
    [PersistentState("members", ChatStorage.Name)] IPersistentState<RoomMembersState> members,
    [PersistentState("log", ChatStorage.Name)] IPersistentState<RoomLogState> log,
    TimeProvider time,
    ILogger<ChatRoomGrain> logger) : Grain, IChatRoomGrain
{
    /// <summary>How many of the latest messages the room remembers to recognise a retried post.</summary>
    internal const int RecentWindow = 256;

    private IAsyncStream<RoomEvent> _stream = null!;

    private string Room => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomEvent>(ChatStreams.ForRoom(Room));
        return Task.CompletedTask;
    }

    public async Task<JoinResult> Join(JoinRequest request)
    {
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname))
        {
            return new JoinResult(JoinStatus.InvalidNickname, request.Nickname);
        }

        var key = ChatRules.KeyOf(nickname);
        if (members.State.Members.TryGetValue(key, out var existing))
        {
            return existing.ConnectionId == request.ConnectionId
                ? new JoinResult(JoinStatus.Joined, existing.Nickname)
                : new JoinResult(JoinStatus.NicknameTaken, existing.Nickname);
        }

        var now = time.GetUtcNow();
        members.State.Members[key] = new RoomMember(nickname, request.ConnectionId, request.FrontId, now);
        await WriteOrReload(members);
        LogJoined(Room, nickname);
        await PublishAsync(new MemberJoined(Room, now, nickname));
        return new JoinResult(JoinStatus.Joined, nickname);
    }

    public async Task Leave(LeaveRequest request)
    {
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname))
        {
            return;
        }

        var key = ChatRules.KeyOf(nickname);
        if (!members.State.Members.TryGetValue(key, out var member) || member.ConnectionId != request.ConnectionId)
        {
            return;
        }

        members.State.Members.Remove(key);
        await WriteOrReload(members);
        LogLeft(Room, member.Nickname);
        await PublishAsync(new MemberLeft(Room, time.GetUtcNow(), member.Nickname));
    }

    public async Task<PostResult> Post(PostRequest request)
    {
        var previous = log.State.Recent.Find(m => m.Id == request.MessageId);
        if (previous is not null)
        {
            return new PostResult(PostStatus.Posted, previous);
        }

        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname)
            || !members.State.Members.TryGetValue(ChatRules.KeyOf(nickname), out var member)
            || member.ConnectionId != request.ConnectionId)
        {
            return new PostResult(PostStatus.NotMember, null);
        }

        if (!ChatRules.TryNormalizeMessage(request.Text, out var text))
        {
            return new PostResult(PostStatus.InvalidMessage, null);
        }

        var message = new MessagePosted(
            Room, time.GetUtcNow(), request.MessageId, log.State.LastSeq + 1, member.Nickname, text);
        log.State.LastSeq = message.Seq;
        log.State.Recent.Add(message);
        if (log.State.Recent.Count > RecentWindow)
        {
            log.State.Recent.RemoveRange(0, log.State.Recent.Count - RecentWindow);
        }

        await WriteOrReload(log);
        await PublishAsync(message);
        return new PostResult(PostStatus.Posted, message);
    }

    public Task<RoomSnapshot> GetSnapshot() => Task.FromResult(new RoomSnapshot(
        Room,
        members.State.Members.Values.OrderBy(m => m.JoinedAt).Select(m => m.Nickname).ToList(),
        log.State.LastSeq));

    /// <summary>
    /// A failed write leaves memory ahead of storage. Deactivating makes the next call reload what storage holds,
    /// so a sequence number that was never persisted is handed out again rather than skipped.
    /// </summary>
    private async Task WriteOrReload<TState>(IPersistentState<TState> state)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// The change is already persisted when this runs. If publishing fails, the event is not lost for good: fronts
    /// detect the gap by sequence number. The caller still learns of the failure so it can retry (idempotently).
    /// </summary>
    private async Task PublishAsync(RoomEvent roomEvent)
    {
        try
        {
            await _stream.OnNextAsync(roomEvent);
        }
        catch (Exception ex)
        {
            LogPublishFailed(ex, Room, roomEvent.GetType().Name);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} joined room {Room}")]
    private partial void LogJoined(string room, string nickname);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} left room {Room}")]
    private partial void LogLeft(string room, string nickname);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {EventType} on room {Room} failed")]
    private partial void LogPublishFailed(Exception exception, string room, string eventType);
}
