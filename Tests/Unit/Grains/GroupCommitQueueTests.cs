using Microsoft.Extensions.Logging.Abstractions;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Unit.Grains;

/// <summary>
/// The group commit on its own. The test plays the room's scheduler (<see cref="Turns"/>) and holds every write and
/// publish open until it releases them, so each step (numbered, stored, published, acknowledged) can be checked, and
/// a step that has not happened is known not to have happened rather than not to have happened yet.
/// </summary>
public sealed class GroupCommitQueueTests
{
    private readonly Turns _turns = new();
    private readonly Held _writes;
    private readonly Held _publishes;
    private int _reloads;

    public GroupCommitQueueTests()
    {
        _writes = new Held(_turns);
        _publishes = new Held(_turns);
    }

    [Fact]
    public void Posts_take_gapless_sequence_numbers_in_arrival_order_after_the_last_stored_one()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue(lastSeq: 41);

        var posts = Enumerable.Range(0, 5).Select(i => Post(queue, $"post {i}")).ToList();
        _writes.Release(0);
        _publishes.Release(0);
        _writes.Release(1);
        _publishes.Release(1);

        Assert.Equal(
            [(42L, "post 0"), (43L, "post 1"), (44L, "post 2"), (45L, "post 3"), (46L, "post 4")],
            posts.Select(Acknowledged).Select(m => (m.Seq, m.Text)));
    }

    [Fact]
    public void Posts_that_arrive_during_a_write_are_stored_together_by_the_next_single_write()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue();

        var first = Post(queue);
        var during = Enumerable.Range(0, 3).Select(_ => Post(queue)).ToList();

        Assert.Equal([[1]], _writes.Batches);

        _writes.Release(0);

        Assert.Equal([[1], [2, 3, 4]], _writes.Batches);

        _publishes.Release(0);
        _writes.Release(1);
        _publishes.Release(1);
        var later = Post(queue);

        Assert.All([first, .. during], post => Acknowledged(post));
        Assert.Equal([[1], [2, 3, 4], [5]], _writes.Batches);
        Assert.False(later.IsCompleted);
    }

    [Fact]
    public void A_post_is_acknowledged_only_once_its_write_and_then_its_publish_are_done()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue();

        var post = Post(queue);

        Assert.Empty(_publishes.Batches);

        _writes.Release(0);

        Assert.Equal([[1]], _publishes.Batches);
        Assert.False(post.IsCompleted);

        _publishes.Release(0);

        Assert.Equal(1, Acknowledged(post).Seq);
    }

    [Fact]
    public void A_retry_while_the_first_attempt_is_unsettled_waits_for_its_outcome_and_takes_no_number()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue();
        var id = Guid.NewGuid();
        var post = Post(queue, id: id);

        Assert.Same(post, queue.Unsettled(id));

        _writes.Release(0);

        Assert.Same(post, queue.Unsettled(id));

        _publishes.Release(0);

        Assert.Null(queue.Unsettled(id));
        Assert.Equal(1, Acknowledged(post).Seq);
        Assert.Equal(2, Acknowledged(Post(queue, release: true)).Seq);
    }

    [Fact]
    public void A_retry_after_the_acknowledgement_finds_the_first_message_in_the_log()
    {
        using var scheduler = _turns.Enter();
        var pages = new MemoryHistoryPages();
        var log = new HistoryLog(
            "lobby", new RoomLogState(), _ => Task.CompletedTask, pages, new(), TimeProvider.System, NullLogger.Instance);
        var loading = log.LoadAsync(stored: false, CancellationToken.None);
        _turns.RunUntilIdle();
        Assert.True(loading.IsCompletedSuccessfully);
        var queue = new GroupCommitQueue(
            "lobby", log.StoredSeq, log.AppendAsync, _ => Task.CompletedTask, () => _reloads++, NullLogger.Instance);

        var first = Acknowledged(Post(queue));
        _turns.RunUntilIdle();

        Assert.Null(queue.Unsettled(first.Id));
        Assert.Equal(first, log.FindRecent(first.Id));
        Assert.Equal(1, log.StoredSeq);
    }

    [Fact]
    public void A_failed_write_fails_every_waiting_post_and_refuses_new_ones_until_the_room_reloads()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue();
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        var posts = ids.Select(id => Post(queue, id: id)).ToList();
        var failure = new InvalidOperationException("storage is gone");

        _writes.Fail(0, failure);

        Assert.All(posts, post => Assert.Same(failure, Faulted(post)));
        Assert.All(ids, id => Assert.Null(queue.Unsettled(id)));
        Assert.Equal(1, _reloads);
        var refused = Assert.Throws<InvalidOperationException>(() => { _ = Post(queue); });
        Assert.Same(failure, refused.InnerException);
        Assert.Single(_writes.Batches);
        Assert.Empty(_publishes.Batches);
    }

    [Fact]
    public void A_failed_write_leaves_the_batch_stored_before_it_to_be_published_and_acknowledged()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue();
        var stored = Post(queue);
        _writes.Release(0);
        var lost = Post(queue);

        _writes.Fail(1, new InvalidOperationException("storage is gone"));
        _publishes.Release(0);

        Assert.IsType<InvalidOperationException>(Faulted(lost));
        Assert.Equal(1, Acknowledged(stored).Seq);
        Assert.Equal([[1]], _publishes.Batches);
    }

    [Fact]
    public void Batches_are_published_in_sequence_order_even_when_a_later_publish_would_finish_first()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue();
        var first = Post(queue);
        _writes.Release(0);
        _publishes.HoldsFromNowOn = false;
        var second = Post(queue);

        _writes.Release(1);

        Assert.Equal([[1]], _publishes.Batches);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        _publishes.Release(0);

        Assert.Equal([[1], [2]], _publishes.Batches);
        Assert.Equal((1L, 2L), (Acknowledged(first).Seq, Acknowledged(second).Seq));
    }

    [Fact]
    public void A_failed_publish_fails_its_posts_only_and_the_room_goes_on_posting()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue();
        var post = Post(queue);
        var failure = new InvalidOperationException("stream is gone");
        _writes.Release(0);

        _publishes.Fail(0, failure);

        Assert.Same(failure, Faulted(post));
        Assert.Equal(0, _reloads);
        Assert.Equal(2, Acknowledged(Post(queue, release: true)).Seq);
    }

    [Fact]
    public void After_a_skip_the_next_post_is_numbered_past_it_and_stored_with_it_in_one_write()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue(lastSeq: 12);

        var before = Post(queue);
        var skip = queue.SkipTo(64);
        var after = Post(queue);
        _writes.Release(0);

        Assert.Equal([[13], [65]], _writes.Batches);
        Assert.Equal([13L, 65L], _writes.UpTo);
        Assert.False(skip.IsCompleted);

        _writes.Release(1);
        _publishes.Release(0);
        _publishes.Release(1);

        Assert.True(skip.IsCompletedSuccessfully);
        Assert.Equal((13L, 65L), (Acknowledged(before).Seq, Acknowledged(after).Seq));
        Assert.Equal(65, queue.AssignedSeq);
    }

    [Fact]
    public void A_skip_with_no_post_is_stored_by_a_write_of_its_own_and_a_skip_behind_the_numbering_does_nothing()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue(lastSeq: 12);

        var skip = queue.SkipTo(64);

        Assert.Equal([[]], _writes.Batches);
        Assert.Equal([64L], _writes.UpTo);
        Assert.True(queue.SkipTo(20).IsCompletedSuccessfully);

        _writes.Release(0);

        Assert.True(skip.IsCompletedSuccessfully);
        Assert.Single(_writes.Batches);
        Assert.Equal(65, Acknowledged(Post(queue, release: true)).Seq);
    }

    [Fact]
    public void A_failed_write_fails_the_skip_with_it_so_the_room_reloads_and_is_told_again()
    {
        using var scheduler = _turns.Enter();
        var queue = Queue(lastSeq: 12);

        var skip = queue.SkipTo(64);
        _writes.Fail(0, new InvalidOperationException("disk full"));

        Assert.True(skip.IsFaulted);
        Assert.Equal(1, _reloads);
        Assert.Throws<InvalidOperationException>(() => { _ = queue.SkipTo(128); });
    }

    private static MessagePosted Acknowledged(Task<MessagePosted> post)
    {
        Assert.True(post.IsCompletedSuccessfully, $"The post is {post.Status}, not acknowledged.");
        return post.Result;
    }

    private static Exception Faulted(Task<MessagePosted> post)
    {
        Assert.True(post.IsFaulted, $"The post is {post.Status}, not failed.");
        return Assert.Single(post.Exception!.InnerExceptions);
    }

    private GroupCommitQueue Queue(long lastSeq = 0) =>
        new("lobby", lastSeq, _writes.Store, _publishes.Call, () => _reloads++, NullLogger.Instance);

    /// <summary>Posts a message; with <paramref name="release"/>, lets its write and publish (the latest) finish.</summary>
    private Task<MessagePosted> Post(
        GroupCommitQueue queue, string text = "hello", Guid? id = null, bool release = false)
    {
        var messageId = id ?? Guid.NewGuid();
        var post = queue.Post(seq => new MessagePosted("lobby", DateTimeOffset.UnixEpoch, messageId, seq, "ana", text));
        if (release)
        {
            _writes.Release(_writes.Batches.Count - 1);
            _publishes.Release(_publishes.Batches.Count - 1);
        }

        return post;
    }

    /// <summary>
    /// The room's scheduler, made deterministic: continuations wait in line until the test runs them, one at a time
    /// on its own thread. Running them until none is left shows everything that can happen without the test.
    /// </summary>
    private sealed class Turns : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _waiting = new();

        public override void Post(SendOrPostCallback d, object? state) => _waiting.Enqueue((d, state));

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("The room's scheduler never blocks on a turn.");

        /// <summary>Makes this the current context of the test's thread until disposed.</summary>
        public IDisposable Enter()
        {
            var previous = Current;
            SetSynchronizationContext(this);
            return new Exit(previous);
        }

        public void RunUntilIdle()
        {
            while (_waiting.TryDequeue(out var turn))
            {
                turn.Callback(turn.State);
            }
        }

        private sealed class Exit(SynchronizationContext? previous) : IDisposable
        {
            public void Dispose() => SetSynchronizationContext(previous);
        }
    }

    /// <summary>Writes or publishes that wait for the test: each call records its batch and ends when told.</summary>
    private sealed class Held(Turns turns)
    {
        private readonly List<(IReadOnlyList<MessagePosted> Batch, TaskCompletionSource Done)> _calls = [];

        /// <summary>When false, later calls finish at once, as if they were faster than the ones still held.</summary>
        public bool HoldsFromNowOn { get; set; } = true;

        public List<long[]> Batches => _calls.ConvertAll(call => call.Batch.Select(m => m.Seq).ToArray());

        /// <summary>For writes: the number each batch was stored up to.</summary>
        public List<long> UpTo { get; } = [];

        public Task Store(IReadOnlyList<MessagePosted> batch, long upTo)
        {
            UpTo.Add(upTo);
            return Call(batch);
        }

        public Task Call(IReadOnlyList<MessagePosted> batch)
        {
            var done = new TaskCompletionSource();
            _calls.Add(([.. batch], done));
            if (!HoldsFromNowOn)
            {
                done.SetResult();
            }

            return done.Task;
        }

        public void Release(int call) => Finish(call, done => done.SetResult());

        public void Fail(int call, Exception failure) => Finish(call, done => done.SetException(failure));

        private void Finish(int call, Action<TaskCompletionSource> finish)
        {
            finish(_calls[call].Done);
            turns.RunUntilIdle();
        }
    }
}
