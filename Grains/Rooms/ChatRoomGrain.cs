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
/// interleave with them (<see cref="IChatRoomGrain.Post"/> is <c>[AlwaysInterleave]</c>) and wait in a
/// <see cref="GroupCommitQueue"/> for the write and the publish that acknowledge them; the messages are kept in a
/// <see cref="HistoryLog"/>. Members are stored a page at a time (<see cref="RoomMembership"/>), so a join or a leave
/// costs the same in a room of any size.
/// </summary>
public sealed partial class ChatRoomGrain(
    [PersistentState("log", ChatStorage.History)] IPersistentState<RoomLogState> log,
    [PersistentState("bans", ChatStorage.History)] IPersistentState<RoomBansState> bans,
    IOptions<ChatRoomOptions> options,
    TimeProvider time,
    RoomMetrics metrics,
    ILogger<ChatRoomGrain> logger) : Grain, IChatRoomGrain
{
    private readonly ChatRoomOptions _options = options.Value;
    private IAsyncStream<RoomEvent> _stream = null!;
    private RoomMembership _members = null!;
    private HistoryLog _history = null!;
    private GroupCommitQueue _commits = null!;
    private ConversationDoor _door = null!;

    /// <summary>
    /// Messages with an amendment numbered but not yet stored, as that amendment leaves them: the next amendment of the
    /// same message builds on it, not on what history still holds.
    /// </summary>
    private readonly Dictionary<long, MessagePosted> _amending = [];

    /// <summary>The highest number fronts reported beyond storage, and the write that stores the skip past it.</summary>
    private long _regressionSeen;
    private Task _regressionStored = Task.CompletedTask;

    private string Room => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomEvent>(ChatStreams.ForRoom(Room));
        _door = new ConversationDoor(GrainFactory, Room);
        var presence = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(ChatStorage.Presence);
        _members = new RoomMembership(presence, Room);
        await _members.LoadAsync(this.GetGrainId());
        var pages = new HistoryPageGrains(GrainFactory, Room);
        _history = new HistoryLog(Room, log.State, log.WriteStateAsync, pages, _options, time, logger);
        await _history.LoadAsync(log.RecordExists, cancellationToken);
        _commits = new GroupCommitQueue(
            Room, _history.StoredSeq, StoreMessagesAsync, PublishMessagesAsync, DeactivateOnIdle, logger);
    }

    public async Task<JoinResult> Join(JoinRequest request)
    {
        if (!ChatRules.TryNormalizeNickname(request.Nickname, out var nickname))
        {
            return new JoinResult(JoinStatus.InvalidNickname, request.Nickname, null);
        }

        var key = ChatRules.KeyOf(nickname);
        // Before anything else about the joiner: a stranger learns nothing, not even whether the conversation exists.
        if (!await _door.AdmitsAsync(key, request.SessionId))
        {
            return new JoinResult(JoinStatus.NotParticipant, nickname, null);
        }

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
        // Every post passes here: the nickname's key (an NFKC fold) is computed once for every lookup.
        var key = ChatRules.KeyOf(request.Nickname.Trim());
        var earlier = _commits.Unsettled(request.MessageId) is { } unsettled
            ? await unsettled
            : _history.FindRecent(request.MessageId);
        if (earlier is not null)
        {
            // A retry gets the first post's answer; a client id reused by someone else gets nothing of theirs.
            return ChatRules.KeyOf(earlier.Nickname) == key
                ? new PostResult(PostStatus.Posted, earlier)
                : new PostResult(PostStatus.IdTaken, null);
        }

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

        // An earlier post with this id would be numbered after AfterSeq: if ids that old are no longer recognised,
        // posting again could store the message twice.
        if (request.AfterSeq is { } afterSeq && afterSeq + 1 < _history.RecentFromSeq)
        {
            return new PostResult(PostStatus.TooLate, null);
        }

        // The post is numbered after the skip and stored with it, so a failed skip fails the post too.
        SkipPast(request.SeenSeq).Ignore();

        var mentions = MembersMentionedIn(text);
        var message = await _commits.Post(seq => new MessagePosted(
            Room, time.GetUtcNow(), request.MessageId, seq, member.Nickname, text, Mentions: mentions, Owner: request.Owner));
        return new PostResult(PostStatus.Posted, message);
    }

    public Task<AmendResult> Edit(EditRequest request)
    {
        if (!ChatRules.TryNormalizeMessage(request.Text, out var text))
        {
            return Task.FromResult(new AmendResult(AmendStatus.InvalidMessage, null));
        }

        return AmendAsync("edit", request.Seq, request.Nickname, request.SessionId, moderator: null, (message, by) =>
            MessageAmendments.Edit(message, ChatRules.KeyOf(by), request.Owner, text, MembersMentionedIn(text), time.GetUtcNow()));
    }

    public Task<AmendResult> Delete(DeleteRequest request) =>
        AmendAsync("delete", request.Seq, request.Nickname, request.SessionId, request.Moderator, (message, by) =>
            MessageAmendments.Delete(message, ChatRules.KeyOf(by), request.Owner, moderator: request.Moderator is not null));

    public Task<AmendResult> React(ReactRequest request) =>
        ChatRules.IsReaction(request.Emoji)
            ? AmendAsync("react", request.Seq, request.Nickname, request.SessionId, moderator: null, (message, by) =>
                MessageAmendments.React(message, by, request.Emoji, request.On))
            : Task.FromResult(new AmendResult(AmendStatus.InvalidReaction, null));

    /// <summary>
    /// Numbers and stores an amendment of message <paramref name="seq"/>, built by <paramref name="amend"/> from the
    /// message as it is (the caller's nickname, or the moderator's, is its second argument); <paramref name="change"/>
    /// names it for the metric. The amendment goes through
    /// the same group commit as posts, so it costs the room one entry in the head plus, for a message in a sealed
    /// page, that one page.
    /// </summary>
    private async Task<AmendResult> AmendAsync(
        string change,
        long seq, string nickname, Guid sessionId, string? moderator, Func<MessagePosted, string, Amendment> amend)
    {
        var by = moderator;
        if (by is null)
        {
            var key = ChatRules.KeyOf(nickname.Trim());
            if (bans.State.Bans.ContainsKey(key))
            {
                return new AmendResult(AmendStatus.Banned, null);
            }

            if (!_members.TryGet(key, out var member) || member.SessionId != sessionId)
            {
                return new AmendResult(AmendStatus.NotMember, null);
            }

            by = member.Nickname;
        }

        var stored = _amending.ContainsKey(seq) ? null : await _history.FindAsync(seq);
        // Another amendment of the message may have been numbered while its page was read.
        var current = _amending.GetValueOrDefault(seq) ?? stored;
        if (current is null)
        {
            return new AmendResult(AmendStatus.NotFound, null);
        }

        var (status, changed) = amend(current, by);
        if (changed is null)
        {
            return new AmendResult(status, status == AmendStatus.Done ? current : null);
        }

        var now = time.GetUtcNow();
        var updated = changed;
        var entry = _commits.Post(entrySeq =>
        {
            updated = changed with { UpdatedSeq = entrySeq };
            _amending[seq] = updated;
            return updated with { Id = Guid.NewGuid(), Seq = entrySeq, At = now, Amends = seq, By = by, Owner = null };
        });
        try
        {
            await entry;
        }
        finally
        {
            if (_amending.GetValueOrDefault(seq)?.UpdatedSeq == updated.UpdatedSeq)
            {
                _amending.Remove(seq);
            }
        }

        metrics.Amended(change);
        if (moderator is not null)
        {
            LogModeratorDeleted(Room, seq, by);
        }
        return new AmendResult(AmendStatus.Done, updated);
    }

    public Task ReportSeen(SeenReport report) => SkipPast(report.Seq);

    /// <summary>The members a text mentions, spelled as they are: one lookup per mention, whatever the room's size.</summary>
    private List<string>? MembersMentionedIn(string text)
    {
        List<string>? mentioned = null;
        foreach (var name in ChatRules.MentionedNames(text))
        {
            if (_members.TryGet(ChatRules.KeyOf(name), out var member))
            {
                (mentioned ??= []).Add(member.Nickname);
            }
        }

        return mentioned;
    }

    public Task<MessageRange> GetMessages(MessageQuery query) => _history.ReadAsync(query);

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
        _history.Epoch,
        _history.FirstSeq,
        _history.StoredSeq,
        _members.Count);

    /// <summary>Tells the room directory; a direct conversation is never listed, so nobody learns it exists.</summary>
    private void AnnounceMemberCount()
    {
        if (!ChatRules.IsConversation(Room))
        {
            GrainFactory.GetGrain<IRoomDirectoryGrain>(0).Update(new RoomInfo(Room, _members.Count));
        }
    }

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
    /// A front delivered <paramref name="seenSeq"/>, but storage does not have it: the store regressed. Whatever was
    /// handed out since the reload may reuse numbers too, so numbering skips past both, into a new epoch.
    /// </summary>
    private Task SkipPast(long seenSeq)
    {
        if (seenSeq <= _history.StoredSeq || seenSeq <= _regressionSeen)
        {
            return _regressionStored;
        }

        _regressionSeen = seenSeq;
        metrics.Regressed();
        LogRegressed(Room, _history.StoredSeq, seenSeq);
        _regressionStored = _commits.SkipTo(HistoryLog.EpochStartAfter(Math.Max(seenSeq, _commits.AssignedSeq)));
        return _regressionStored;
    }

    /// <summary>Stores a batch; a batch that started a new epoch is announced before its messages are published.</summary>
    private async Task StoreMessagesAsync(IReadOnlyList<MessagePosted> messages, long upTo)
    {
        var restored = _history.StoredSeq;
        if (await _history.AppendAsync(messages, upTo) is not { } startedAfter)
        {
            return;
        }

        var regressed = new HistoryRegressed(Room, time.GetUtcNow(), _history.Epoch, restored, _regressionSeen, startedAfter);
        try
        {
            await _stream.OnNextAsync(regressed);
        }
        catch (Exception ex)
        {
            // Stored already; fronts also learn the new epoch from the next history read (a gap fill, a catch-up).
            LogPublishFailed(ex, Room, nameof(HistoryRegressed));
        }
    }

    private Task PublishAsync(RoomEvent roomEvent) =>
        PublishAsync(() => _stream.OnNextAsync(roomEvent), roomEvent.GetType().Name);

    private Task PublishMessagesAsync(IReadOnlyList<MessagePosted> messages) =>
        PublishAsync(() => _stream.OnNextBatchAsync(new List<RoomEvent>(messages)), nameof(MessagePosted));

    /// <summary>
    /// The change is already stored when this runs. If publishing fails the event is not lost for good: fronts
    /// notice the gap in sequence numbers and read it from history. The caller still learns of the failure.
    /// </summary>
    private async Task PublishAsync(Func<Task> publish, string eventType)
    {
        try
        {
            await publish();
        }
        catch (Exception ex)
        {
            LogPublishFailed(ex, Room, eventType);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} joined room {Room}")]
    private partial void LogJoined(string room, string nickname);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} left room {Room}")]
    private partial void LogLeft(string room, string nickname);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {Seq} of room {Room} deleted by {By}, an administrator")]
    private partial void LogModeratorDeleted(string room, long seq, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} banned from room {Room} by {By}")]
    private partial void LogBanned(string room, string nickname, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} unbanned from room {Room} by {By}")]
    private partial void LogUnbanned(string room, string nickname, string by);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} removed from room {Room}: {Reason}")]
    private partial void LogRemoved(string room, string nickname, RemovalReason reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {Room} reloaded storage with messages up to {StoredSeq}, but a front delivered up to {SeenSeq}: the store went back; the room numbers on in a new epoch")]
    private partial void LogRegressed(string room, long storedSeq, long seenSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {EventType} on room {Room} failed")]
    private partial void LogPublishFailed(Exception exception, string room, string eventType);
}
