using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// A chat room. Joins, leaves and reads take turns (non-reentrant), which keeps membership decisions simple. Posts
/// interleave with them (<see cref="IChatRoomGrain.Post"/> is <c>[AlwaysInterleave]</c>): each post takes its sequence
/// number in its own turn, in arrival order, and waits for a group commit; one write at a time stores every post that
/// arrived while the previous write was in flight. A post is acknowledged and published only after the write that
/// holds it, so sequence numbers stay gapless and nothing is acknowledged that storage does not have. Members are
/// stored a page at a time (<see cref="RoomMembership"/>), so a join or a leave costs the same in a room of any size.
/// </summary>
public sealed partial class ChatRoomGrain(
    [PersistentState("log", ChatStorage.History)] IPersistentState<RoomLogState> log,
    [PersistentState("bans", ChatStorage.History)] IPersistentState<RoomBansState> bans,
    IOptions<ChatRoomOptions> options,
    TimeProvider time,
    ILogger<ChatRoomGrain> logger) : Grain, IChatRoomGrain
{
    /// <summary>Messages per sealed history page: the most a post ever rewrites, whatever the history's length.</summary>
    internal const int PageSize = 64;

    /// <summary>Sealed pages kept in memory for reads and recoveries.</summary>
    private const int CachedPages = 32;

    private readonly ChatRoomOptions _options = options.Value;
    private readonly Dictionary<long, IReadOnlyList<MessagePosted>> _pages = [];

    /// <summary>Posts waiting for the next write, in sequence order.</summary>
    private readonly List<PendingPost> _queued = [];

    /// <summary>Posts not yet acknowledged (queued, being written or being published), so a retry waits for the first.</summary>
    private readonly Dictionary<Guid, Task<MessagePosted>> _unsettled = [];

    private IAsyncStream<RoomEvent> _stream = null!;
    private RoomMembership _members = null!;
    private bool _writing;
    private Task _published = Task.CompletedTask;

    /// <summary>The last sequence number handed to a post; ahead of <see cref="_storedSeq"/> while posts wait.</summary>
    private long _assignedSeq;

    /// <summary>The last sequence number in storage: the only messages readers and joiners are shown.</summary>
    private long _storedSeq;

    /// <summary>Set when a write failed: memory is ahead of storage until the grain reloads.</summary>
    private Exception? _writeFailure;

    private string Room => this.GetPrimaryKeyString();

    private RoomLogState Log => log.State;

    /// <summary>Every message up to here is in a sealed page; the head holds the rest.</summary>
    private long SealedUpTo => Log.LastSeq - Log.Head.Count;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomEvent>(ChatStreams.ForRoom(Room));
        var presence = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(ChatStorage.Presence);
        _members = new RoomMembership(presence, Room);
        await _members.LoadAsync(this.GetGrainId());
        if (!log.RecordExists)
        {
            Log.Epoch = Guid.NewGuid().ToString("N");
            await log.WriteStateAsync(cancellationToken);
            LogNewEpoch(Room, Log.Epoch);
        }
        else if (SealedUpTo >= Math.Max(Log.FirstSeq, 1))
        {
            // Brings back the page before the head, so a post retried across a reactivation is still recognised.
            await PageMessagesAsync(PageOf(SealedUpTo));
        }

        _assignedSeq = _storedSeq = Log.LastSeq;
    }

    public async Task<JoinResult> Join(JoinRequest request)
    {
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname))
        {
            return new JoinResult(JoinStatus.InvalidNickname, request.Nickname, null);
        }

        var key = ChatRules.KeyOf(nickname);
        if (bans.State.Bans.ContainsKey(key))
        {
            return new JoinResult(JoinStatus.Banned, nickname, null);
        }

        if (_members.TryGet(key, out var existing))
        {
            if (existing.SessionId != request.SessionId)
            {
                return new JoinResult(JoinStatus.NicknameTaken, existing.Nickname, null);
            }

            if (existing.FrontId != request.FrontId)
            {
                await WriteOrReload(_members.UpdateAsync(key, existing with { FrontId = request.FrontId }));
            }

            return new JoinResult(JoinStatus.Joined, existing.Nickname, Snapshot());
        }

        if (_members.Count >= _options.MaxMembersPerRoom)
        {
            return new JoinResult(JoinStatus.RoomFull, nickname, null);
        }

        var now = time.GetUtcNow();
        await WriteOrReload(_members.AddAsync(key, new RoomMember(nickname, request.SessionId, request.FrontId, now)));
        LogJoined(Room, nickname);
        await PublishAsync(new MemberJoined(Room, now, nickname, _members.Count));
        AnnounceMemberCount();
        return new JoinResult(JoinStatus.Joined, nickname, Snapshot());
    }

    public async Task Leave(LeaveRequest request)
    {
        var key = ChatRules.KeyOf(request.Nickname.Trim());
        if (!_members.TryGet(key, out var member) || member.SessionId != request.SessionId)
        {
            return;
        }

        await WriteOrReload(_members.RemoveAsync(key));
        LogLeft(Room, member.Nickname);
        await PublishAsync(new MemberLeft(Room, time.GetUtcNow(), member.Nickname, _members.Count));
        AnnounceMemberCount();
    }

    public async Task<PostResult> Post(PostRequest request)
    {
        if (_unsettled.TryGetValue(request.MessageId, out var unsettled))
        {
            return new PostResult(PostStatus.Posted, await unsettled);
        }

        if (FindRecent(request.MessageId) is { } previous)
        {
            return new PostResult(PostStatus.Posted, previous);
        }

        // Every post passes here: the nickname's key (an NFKC fold) is computed once for both lookups.
        var key = ChatRules.KeyOf(request.Nickname.Trim());
        if (bans.State.Bans.ContainsKey(key))
        {
            return new PostResult(PostStatus.Banned, null);
        }

        if (!_members.TryGet(key, out var member) || member.SessionId != request.SessionId)
        {
            return new PostResult(PostStatus.NotMember, null);
        }

        if (!ChatRules.TryNormalizeMessage(request.Text, out var text))
        {
            return new PostResult(PostStatus.InvalidMessage, null);
        }

        if (_writeFailure is { } failure)
        {
            throw new InvalidOperationException($"Room {Room} reloads after a failed write; retry the post.", failure);
        }

        var pending = new PendingPost(
            new MessagePosted(Room, time.GetUtcNow(), request.MessageId, ++_assignedSeq, member.Nickname, text));
        _queued.Add(pending);
        _unsettled[request.MessageId] = pending.Completion.Task;
        if (!_writing)
        {
            _writing = true;
            _ = WriteQueuedAsync();
        }

        return new PostResult(PostStatus.Posted, await pending.Completion.Task);
    }

    public async Task<MessageRange> GetMessages(MessageQuery query)
    {
        var to = Math.Min(query.ToSeq, _storedSeq);
        var from = Math.Max(Math.Max(query.FromSeq, Log.FirstSeq), to - Math.Max(query.Limit, 0) + 1);
        var messages = new List<MessagePosted>((int)Math.Clamp(to - from + 1, 0, PageSize * 4));
        for (var pageIndex = PageOf(from); from <= to && pageIndex <= PageOf(to); pageIndex++)
        {
            foreach (var message in await PageMessagesAsync(pageIndex))
            {
                if (message.Seq >= from && message.Seq <= to)
                {
                    messages.Add(message);
                }
            }
        }

        return new MessageRange(Log.Epoch, Log.FirstSeq, _storedSeq, messages);
    }

    public Task<RoomSnapshot> GetSnapshot() => Task.FromResult(Snapshot());

    public Task<MemberPage> GetMembers(MemberQuery query) => Task.FromResult(
        _members.After(query.After is null ? null : ChatRules.KeyOf(query.After.Trim()), query.Limit));

    public async Task<ModerationResult> Ban(ModerationRequest request)
    {
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname))
        {
            return new ModerationResult(ModerationStatus.InvalidNickname, request.Nickname);
        }

        var key = ChatRules.KeyOf(nickname);
        if (!bans.State.Bans.ContainsKey(key))
        {
            bans.State.Bans[key] = new RoomBan(nickname, request.By, time.GetUtcNow());
            await WriteOrReload(bans);
            LogBanned(Room, nickname, request.By);
        }

        if (_members.TryGet(key, out var member))
        {
            await RemoveMemberAsync(key, member, RemovalReason.Banned);
        }

        return new ModerationResult(ModerationStatus.Done, member?.Nickname ?? nickname);
    }

    public async Task<ModerationResult> Unban(ModerationRequest request)
    {
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname))
        {
            return new ModerationResult(ModerationStatus.InvalidNickname, request.Nickname);
        }

        if (bans.State.Bans.Remove(ChatRules.KeyOf(nickname)))
        {
            await WriteOrReload(bans);
            LogUnbanned(Room, nickname, request.By);
        }

        return new ModerationResult(ModerationStatus.Done, nickname);
    }

    public async Task Remove(RemoveRequest request)
    {
        var key = ChatRules.KeyOf(request.Nickname.Trim());
        if (_members.TryGet(key, out var member) && member.SessionId == request.SessionId)
        {
            await RemoveMemberAsync(key, member, request.Reason);
        }
    }

    private async Task RemoveMemberAsync(string key, RoomMember member, RemovalReason reason)
    {
        await WriteOrReload(_members.RemoveAsync(key));
        LogRemoved(Room, member.Nickname, reason);
        await PublishAsync(new MemberRemoved(Room, time.GetUtcNow(), member.Nickname, reason, _members.Count));
        AnnounceMemberCount();
    }

    private RoomSnapshot Snapshot() => new(
        Room,
        _members.After(null, _options.MembersOnJoin).Members,
        Log.Epoch,
        Log.FirstSeq,
        _storedSeq,
        _members.Count);

    /// <summary>
    /// The group commit: while posts are queued, moves them all into the log and writes it once. Only one runs at a
    /// time; posts that arrive during a write go into the next one.
    /// </summary>
    private async Task WriteQueuedAsync()
    {
        while (_queued.Count > 0)
        {
            var batch = _queued.ToArray();
            _queued.Clear();
            try
            {
                foreach (var post in batch)
                {
                    Log.Head.Add(post.Message);
                    Log.LastSeq = post.Message.Seq;
                    if (Log.Head.Count == PageSize)
                    {
                        await SealHeadAsync();
                    }
                }

                await log.WriteStateAsync();
            }
            catch (Exception ex)
            {
                // Memory is now ahead of storage: refuse posts until the grain reloads, so the unsaved (and
                // unpublished) sequence numbers are handed out again rather than skipped.
                LogWriteFailed(ex, Room, batch[0].Message.Seq, _assignedSeq);
                _writeFailure = ex;
                DeactivateOnIdle();
                Settle([.. batch, .. _queued], ex);
                _queued.Clear();
                _writing = false;
                return;
            }

            _storedSeq = Log.LastSeq;
            _published = PublishAfterAsync(_published, batch);
        }

        _writing = false;
    }

    /// <summary>
    /// Publishes a stored batch once the batch before it is published, so the stream carries messages in sequence
    /// order, then acknowledges its posts. If publishing fails the messages are not lost: they are stored, fronts
    /// notice the gap in sequence numbers and read them from history, and a retried post finds its message.
    /// </summary>
    private async Task PublishAfterAsync(Task previous, PendingPost[] batch)
    {
        await previous;
        try
        {
            await _stream.OnNextBatchAsync(batch.Select(post => (RoomEvent)post.Message).ToList());
        }
        catch (Exception ex)
        {
            LogPublishFailed(ex, Room, nameof(MessagePosted));
            Settle(batch, ex);
            return;
        }

        Settle(batch, failure: null);
    }

    private void Settle(IEnumerable<PendingPost> posts, Exception? failure)
    {
        foreach (var post in posts)
        {
            _unsettled.Remove(post.Message.Id);
            if (failure is null)
            {
                post.Completion.TrySetResult(post.Message);
            }
            else
            {
                post.Completion.TrySetException(failure);
            }
        }
    }

    private static long PageOf(long seq) => (seq - 1) / PageSize;

    /// <summary>A retried post is recognised within the head and the page sealed just before it.</summary>
    private MessagePosted? FindRecent(Guid messageId)
    {
        var found = Log.Head.Find(m => m.Id == messageId);
        if (found is null && SealedUpTo > 0 && _pages.TryGetValue(PageOf(SealedUpTo), out var previous))
        {
            found = previous.FirstOrDefault(m => m.Id == messageId);
        }

        return found;
    }

    private async Task<IReadOnlyList<MessagePosted>> PageMessagesAsync(long pageIndex)
    {
        if (pageIndex >= SealedUpTo / PageSize)
        {
            return Log.Head;
        }

        if (!_pages.TryGetValue(pageIndex, out var messages))
        {
            messages = (await PageGrain(pageIndex).Get()).Messages;
            Remember(pageIndex, messages);
        }

        return messages;
    }

    private async Task SealHeadAsync()
    {
        var pageIndex = PageOf(Log.LastSeq);
        var sealedMessages = Log.Head.ToList();
        await PageGrain(pageIndex).Seal(new HistoryPage(sealedMessages));
        Remember(pageIndex, sealedMessages);
        Log.Head = [];
        await ApplyRetentionAsync();
    }

    /// <summary>Drops whole pages that fall outside the retention limits, oldest first.</summary>
    private async Task ApplyRetentionAsync()
    {
        var firstSeq = Log.FirstSeq;
        if (_options.RetainMessages > 0)
        {
            firstSeq = Math.Max(firstSeq, Log.LastSeq - _options.RetainMessages + 1);
        }

        if (_options.RetainFor is { } maxAge)
        {
            var cutoff = time.GetUtcNow() - maxAge;
            while (firstSeq <= SealedUpTo)
            {
                var oldest = await PageMessagesAsync(PageOf(firstSeq));
                if (oldest.Count == 0 || oldest[^1].At >= cutoff)
                {
                    break;
                }

                firstSeq = (PageOf(firstSeq) + 1) * PageSize + 1;
            }
        }

        if (firstSeq == Log.FirstSeq)
        {
            return;
        }

        var dropped = Enumerable.Range(0, (int)(PageOf(firstSeq) - PageOf(Log.FirstSeq)))
            .Select(i => PageOf(Log.FirstSeq) + i)
            .ToList();
        Log.FirstSeq = firstSeq;
        foreach (var pageIndex in dropped)
        {
            _pages.Remove(pageIndex);
        }

        await Task.WhenAll(dropped.Select(pageIndex => PageGrain(pageIndex).Clear()));
        LogRetention(Room, firstSeq, dropped.Count);
    }

    private void Remember(long pageIndex, IReadOnlyList<MessagePosted> messages)
    {
        if (_pages.Count >= CachedPages)
        {
            _pages.Remove(_pages.Keys.Min());
        }

        _pages[pageIndex] = messages;
    }

    private IHistoryPageGrain PageGrain(long pageIndex) =>
        GrainFactory.GetGrain<IHistoryPageGrain>(HistoryPageKey.For(Room, Log.Epoch, pageIndex));

    private void AnnounceMemberCount() =>
        GrainFactory.GetGrain<IRoomDirectoryGrain>(0).Update(new RoomInfo(Room, _members.Count));

    private Task WriteOrReload<TState>(IPersistentState<TState> state) => WriteOrReload(state.WriteStateAsync());

    /// <summary>A failed write leaves memory ahead of storage: the room deactivates so the next call reloads.</summary>
    private async Task WriteOrReload(Task write)
    {
        try
        {
            await write;
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// The change is already stored when this runs. If publishing fails the event is not lost for good: fronts
    /// notice the gap in sequence numbers and read it from history. The caller still learns of the failure.
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {Room} starts history epoch {Epoch}")]
    private partial void LogNewEpoch(string room, string epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} joined room {Room}")]
    private partial void LogJoined(string room, string nickname);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} left room {Room}")]
    private partial void LogLeft(string room, string nickname);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {Room} now keeps history from {FirstSeq} ({Pages} pages dropped)")]
    private partial void LogRetention(string room, long firstSeq, int pages);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing messages {FromSeq}..{ToSeq} of room {Room} failed; the room reloads")]
    private partial void LogWriteFailed(Exception exception, string room, long fromSeq, long toSeq);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} banned from room {Room} by {By}")]
    private partial void LogBanned(string room, string nickname, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} unbanned from room {Room} by {By}")]
    private partial void LogUnbanned(string room, string nickname, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} removed from room {Room}: {Reason}")]
    private partial void LogRemoved(string room, string nickname, RemovalReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {EventType} on room {Room} failed")]
    private partial void LogPublishFailed(Exception exception, string room, string eventType);

    /// <summary>A post that has its sequence number and waits for the write (and the publish) that acknowledge it.</summary>
    private sealed record PendingPost(MessagePosted Message)
    {
        public TaskCompletionSource<MessagePosted> Completion { get; } = new();
    }
}
