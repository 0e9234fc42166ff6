using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// A room's posts from taking a sequence number to being acknowledged. Each post takes the next number when it
/// arrives; one write at a time stores every post that arrived while the previous write was in flight (group commit);
/// stored batches are published in sequence order, and a post is acknowledged only after both, so sequence numbers
/// stay gapless and nothing is acknowledged that storage does not have. Not thread-safe: it runs on the room's
/// scheduler, one turn at a time, so posts interleave with the write loop only at its awaits.
/// </summary>
/// <param name="lastSeq">The last sequence number in storage; the next post takes the one after it.</param>
/// <param name="store">
/// Stores a batch, in sequence order, up to the given number (past the batch's last message after a
/// <see cref="SkipTo"/>); once it fails, memory is ahead of storage.
/// </param>
/// <param name="publish">Publishes a stored batch; a failure fails its posts but loses nothing: they are stored.</param>
/// <param name="writeFailed">Starts the reload that a failed write calls for.</param>
public sealed partial class GroupCommitQueue(
    string room,
    long lastSeq,
    Func<IReadOnlyList<MessagePosted>, long, Task> store,
    Func<IReadOnlyList<MessagePosted>, Task> publish,
    Action writeFailed,
    ILogger logger)
{
    /// <summary>Posts waiting for the next write, in sequence order.</summary>
    private readonly List<PendingPost> _queued = [];

    /// <summary>Posts not yet acknowledged (queued, being written or being published), so a retry waits for the first.</summary>
    private readonly Dictionary<Guid, Task<MessagePosted>> _unsettled = [];

    /// <summary>The last sequence number handed to a post; ahead of storage while posts wait.</summary>
    private long _assignedSeq = lastSeq;

    /// <summary>Set by <see cref="SkipTo"/> until a write has stored the skip.</summary>
    private TaskCompletionSource? _skipStored;

    private bool _writing;
    private Task _published = Task.CompletedTask;

    /// <summary>Set when a write failed: memory is ahead of storage until the room reloads.</summary>
    private Exception? _writeFailure;

    /// <summary>The last sequence number handed out: stored, or waiting for a write.</summary>
    public long AssignedSeq => _assignedSeq;

    /// <summary>The outcome of the post with this message id, while it is not acknowledged yet.</summary>
    public Task<MessagePosted>? Unsettled(Guid messageId) => _unsettled.GetValueOrDefault(messageId);

    /// <summary>
    /// Gives the post the next sequence number, <paramref name="numbered"/> builds its message, and the message is
    /// acknowledged once it is stored and published. The caller checks <see cref="Unsettled"/> first: a retry must
    /// not take a second number.
    /// </summary>
    /// <exception cref="InvalidOperationException">A write failed; posts are refused until the room reloads.</exception>
    public Task<MessagePosted> Post(Func<long, MessagePosted> numbered)
    {
        ThrowIfWriteFailed();
        var pending = new PendingPost(numbered(++_assignedSeq), RoomActivities.CurrentTrace());
        _queued.Add(pending);
        _unsettled[pending.Message.Id] = pending.Completion.Task;
        StartWriting();
        return pending.Completion.Task;
    }

    /// <summary>
    /// Numbers the next post after <paramref name="lastSeq"/>, leaving out every number up to it: the store regressed
    /// and those numbers were handed out before. The returned task completes once a write has stored the skip
    /// (with the posts queued by then, or on its own); a skip to a number already handed out does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">A write failed; nothing is numbered until the room reloads.</exception>
    public Task SkipTo(long lastSeq)
    {
        ThrowIfWriteFailed();
        if (lastSeq <= _assignedSeq)
        {
            return Task.CompletedTask;
        }

        _assignedSeq = lastSeq;
        _skipStored ??= new TaskCompletionSource();
        var stored = _skipStored.Task;
        StartWriting();
        return stored;
    }

    private void ThrowIfWriteFailed()
    {
        if (_writeFailure is { } failure)
        {
            throw new InvalidOperationException($"Room {room} reloads after a failed write; retry the post.", failure);
        }
    }

    private void StartWriting()
    {
        if (!_writing)
        {
            _writing = true;
            _ = WriteQueuedAsync();
        }
    }

    /// <summary>While posts are queued, stores them all in one write; posts arriving during it go into the next.</summary>
    private async Task WriteQueuedAsync()
    {
        while (_queued.Count > 0 || _skipStored is not null)
        {
            var batch = _queued.ToArray();
            _queued.Clear();
            var skip = _skipStored;
            _skipStored = null;
            var messages = Array.ConvertAll(batch, post => post.Message);
            var upTo = _assignedSeq;
            var stored = Array.Exists(batch, post => post.Trace != default)
                ? RoomActivities.StartStore(room, Array.ConvertAll(batch, post => post.Trace), upTo)
                : null;
            try
            {
                await store(messages, upTo);
            }
            catch (Exception ex)
            {
                stored?.SetStatus(ActivityStatusCode.Error, ex.Message);
                stored?.Dispose();
                // Refuse posts until the room reloads, so the unsaved (and unpublished) sequence numbers are handed
                // out again rather than skipped.
                LogWriteFailed(ex, room, batch.Length > 0 ? batch[0].Message.Seq : upTo, _assignedSeq);
                _writeFailure = ex;
                writeFailed();
                Settle([.. batch, .. _queued], ex);
                _queued.Clear();
                skip?.SetException(ex);
                _skipStored?.SetException(ex);
                _skipStored = null;
                _writing = false;
                return;
            }

            stored?.Dispose();
            skip?.SetResult();
            if (batch.Length > 0)
            {
                _published = PublishAfterAsync(_published, batch, messages);
            }
        }

        _writing = false;
    }

    /// <summary>
    /// Publishes a stored batch once the batch before it is published, so the stream carries messages in sequence
    /// order, then acknowledges its posts. If publishing fails the messages are not lost: they are stored, fronts
    /// notice the gap in sequence numbers and read them from history, and a retried post finds its message.
    /// </summary>
    private async Task PublishAfterAsync(Task previous, PendingPost[] batch, MessagePosted[] messages)
    {
        await previous;
        try
        {
            await publish(Array.Exists(batch, post => post.Trace != default)
                ? Array.ConvertAll(batch, post => RoomActivities.WithTrace(post.Message, post.Trace))
                : messages);
        }
        catch (Exception ex)
        {
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing messages {FromSeq}..{ToSeq} of room {Room} failed; the room reloads")]
    private partial void LogWriteFailed(Exception exception, string room, long fromSeq, long toSeq);

    /// <summary>
    /// A post that has its sequence number and waits for the write (and the publish) that acknowledge it;
    /// <paramref name="Trace"/> is the post's trace, default when it has none.
    /// </summary>
    private sealed record PendingPost(MessagePosted Message, ActivityContext Trace)
    {
        public TaskCompletionSource<MessagePosted> Completion { get; } = new();
    }
}
