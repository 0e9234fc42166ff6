using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Unit.Grains;

/// <summary>
/// A room's message log on its own, over pages in memory and a fake clock: what a read returns across sealed pages
/// and the head, what stays cached, what retention drops, and which retried posts are still recognised.
/// </summary>
public sealed class HistoryLogTests
{
    private const int Page = HistoryLog.PageSize;

    private readonly MemoryHistoryPages _pages = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ChatRoomOptions _options = new() { RetainMessages = 0 };
    private RoomLogState _state = new();
    private TaskCompletionSource? _heldWrite;
    private int _writes;

    [Fact]
    public async Task A_new_log_starts_an_epoch_and_stores_it_before_anything_is_read()
    {
        var log = await LoadAsync(stored: false);

        Assert.Equal(1, _writes);
        Assert.False(string.IsNullOrEmpty(_state.Epoch));
        Assert.Equal(_state.Epoch, log.Epoch);

        var other = Create(new RoomLogState());
        await other.LoadAsync(stored: false, CancellationToken.None);
        var range = await log.ReadAsync(new MessageQuery(1, long.MaxValue, 50));

        Assert.NotEqual(log.Epoch, other.Epoch);
        Assert.Equal((log.Epoch, 1L, 0L), (range.Epoch, range.FirstSeq, range.LastSeq));
        Assert.Empty(range.Messages);
    }

    [Fact]
    public async Task One_append_writes_the_log_once_and_seals_each_page_it_fills()
    {
        var log = await LoadAsync(stored: false);

        await log.AppendAsync(Messages(1, 2 * Page + 2));

        Assert.Equal(2, _writes);
        Assert.Equal([0, 1], _pages.Sealed);
        Assert.Equal(Seqs(2 * Page + 1, 2 * Page + 2), _state.Head.Select(m => m.Seq));
        Assert.Equal((2L * Page + 2, 2L * Page + 2), (_state.LastSeq, log.StoredSeq));
    }

    [Fact]
    public async Task Reads_page_back_by_sequence_number_across_sealed_pages_and_the_head()
    {
        var log = await AppendedAsync(150);

        Assert.Equal(Seqs(101, 150), await SeqsAsync(log, new MessageQuery(1, 150, 50)));
        Assert.Equal(Seqs(51, 100), await SeqsAsync(log, new MessageQuery(1, 100, 50)));
        Assert.Equal(Seqs(1, 10), await SeqsAsync(log, new MessageQuery(1, 10, 50)));
        Assert.Equal(Seqs(60, 70), await SeqsAsync(log, new MessageQuery(60, 70, 100)));
        Assert.Equal(Seqs(1, 150), await SeqsAsync(log, new MessageQuery(1, 150, 1000)));
        var all = await log.ReadAsync(new MessageQuery(1, 150, 1000));
        Assert.Equal(Seqs(1, 150).Select(Text), all.Messages.Select(m => m.Text));
        Assert.Empty(_pages.Read);
    }

    [Fact]
    public async Task The_limit_keeps_the_newest_and_ranges_outside_the_log_return_nothing()
    {
        var log = await AppendedAsync(70);

        Assert.Empty(await SeqsAsync(log, new MessageQuery(71, 100, 10)));
        Assert.Empty(await SeqsAsync(log, new MessageQuery(1, 0, 10)));
        Assert.Empty(await SeqsAsync(log, new MessageQuery(1, 70, 0)));
        Assert.Empty(await SeqsAsync(log, new MessageQuery(1, 70, -5)));
        Assert.Equal(Seqs(61, 70), await SeqsAsync(log, new MessageQuery(1, long.MaxValue, 10)));
        Assert.Equal(Seqs(64, 65), await SeqsAsync(log, new MessageQuery(64, 65, 10)));
        Assert.Equal(Seqs(1, 1), await SeqsAsync(log, new MessageQuery(long.MinValue, 1, 10)));
    }

    [Fact]
    public async Task While_an_append_is_being_written_readers_see_only_what_is_stored()
    {
        var log = await AppendedAsync(3);
        _heldWrite = new TaskCompletionSource();

        var appending = log.AppendAsync(Messages(4, 5));
        var during = await log.ReadAsync(new MessageQuery(1, long.MaxValue, 50));
        _heldWrite.SetResult();
        await appending;
        var after = await log.ReadAsync(new MessageQuery(1, long.MaxValue, 50));

        Assert.Equal(3, during.LastSeq);
        Assert.Equal(Seqs(1, 3), during.Messages.Select(m => m.Seq));
        Assert.Equal(5, after.LastSeq);
        Assert.Equal(Seqs(1, 5), after.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task The_oldest_cached_page_is_evicted_first_and_read_back_from_its_store_when_asked_for()
    {
        const int newest = HistoryLog.CachedPages;
        var log = await AppendedAsync((newest + 1) * Page + 1);

        Assert.Equal(Seqs(Page + 1, 2 * Page), await SeqsAsync(log, PageQuery(1)));
        Assert.Equal(Seqs(newest * Page + 1, (newest + 1) * Page), await SeqsAsync(log, PageQuery(newest)));
        Assert.Empty(_pages.Read);

        Assert.Equal(Seqs(1, Page), await SeqsAsync(log, PageQuery(0)));
        Assert.Equal(Seqs(1, Page), await SeqsAsync(log, PageQuery(0)));
        Assert.Equal([0], _pages.Read);

        // Bringing page 0 back evicted page 1, now the oldest index cached.
        Assert.Equal(Seqs(Page + 1, 2 * Page), await SeqsAsync(log, PageQuery(1)));
        Assert.Equal([0, 1], _pages.Read);
    }

    [Fact]
    public async Task Retention_by_count_keeps_the_newest_messages_as_of_each_seal_and_clears_only_whole_pages()
    {
        _options.RetainMessages = 100;
        var log = await AppendedAsync(2 * Page);

        Assert.Equal(2 * Page - 100 + 1, log.FirstSeq);
        Assert.Empty(_pages.Cleared);

        await log.AppendAsync(Messages(2 * Page + 1, 3 * Page + 10));

        Assert.Equal(3 * Page - 100 + 1, log.FirstSeq);
        Assert.Equal([0], _pages.Cleared);
        Assert.False(_pages.Holds(log.Epoch, 0));
        var range = await log.ReadAsync(new MessageQuery(1, long.MaxValue, 10_000));
        Assert.Equal(log.FirstSeq, range.FirstSeq);
        Assert.Equal(Seqs(3 * Page - 100 + 1, 3 * Page + 10), range.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task Retention_by_age_drops_the_pages_whose_newest_message_is_older_than_the_limit()
    {
        _options.RetainFor = TimeSpan.FromHours(1);
        var log = await AppendedAsync(Page);
        _time.Advance(TimeSpan.FromMinutes(30));
        await log.AppendAsync(Messages(Page + 1, 2 * Page));

        Assert.Equal(1, log.FirstSeq);

        _time.Advance(TimeSpan.FromMinutes(31));
        await log.AppendAsync(Messages(2 * Page + 1, 3 * Page));

        Assert.Equal(Page + 1, log.FirstSeq);
        Assert.Equal([0], _pages.Cleared);
        Assert.Equal(Seqs(Page + 1, 3 * Page), await SeqsAsync(log, new MessageQuery(1, long.MaxValue, 10_000)));
    }

    [Fact]
    public async Task A_retried_post_is_found_in_the_head_and_in_the_page_sealed_just_before_it_but_not_older()
    {
        var log = await LoadAsync(stored: false);
        var messages = Messages(1, 2 * Page + 1);
        await log.AppendAsync(messages[..Page]);

        Assert.Equal(messages[Page - 1], log.FindRecent(messages[Page - 1].Id));

        await log.AppendAsync(messages[Page..(Page + 5)]);

        Assert.Equal(messages[Page + 4], log.FindRecent(messages[Page + 4].Id));
        Assert.Equal(messages[0], log.FindRecent(messages[0].Id));

        await log.AppendAsync(messages[(Page + 5)..]);

        Assert.Null(log.FindRecent(messages[Page - 1].Id));
        Assert.Equal(messages[Page], log.FindRecent(messages[Page].Id));
        Assert.Equal(messages[^1], log.FindRecent(messages[^1].Id));
        Assert.Null(log.FindRecent(Guid.NewGuid()));
    }

    [Fact]
    public async Task Ids_are_recognised_from_the_first_message_of_the_page_before_the_head_and_no_further_back()
    {
        var log = await LoadAsync(stored: false);
        var messages = Messages(1, 2 * Page + 1);

        Assert.Equal(1, log.RecentFromSeq);
        await log.AppendAsync(messages[..5]);
        Assert.Equal(1, log.RecentFromSeq);
        await log.AppendAsync(messages[5..(2 * Page)]);
        Assert.Equal(Page + 1, log.RecentFromSeq); // the head is empty: the last sealed page is the window
        await log.AppendAsync(messages[(2 * Page)..]);
        Assert.Equal(Page + 1, log.RecentFromSeq);

        Assert.Null(log.FindRecent(messages[Page - 1].Id));
        Assert.Equal(messages[Page], log.FindRecent(messages[(int)log.RecentFromSeq - 1].Id));
    }

    [Fact]
    public async Task A_reloaded_log_brings_back_the_page_before_the_head_so_a_retry_is_still_recognised()
    {
        var first = await LoadAsync(stored: false);
        var messages = Messages(1, Page + 3);
        await first.AppendAsync(messages);

        _state = new RoomLogState
        {
            Epoch = _state.Epoch, FirstSeq = _state.FirstSeq, LastSeq = _state.LastSeq, Head = [.. _state.Head],
        };
        var reloaded = await LoadAsync(stored: true);

        Assert.Equal([0], _pages.Read);
        Assert.Equal(messages[Page - 1], reloaded.FindRecent(messages[Page - 1].Id));
        Assert.Equal((first.Epoch, (long)Page + 3), (reloaded.Epoch, reloaded.StoredSeq));
    }

    private static MessageQuery PageQuery(long pageIndex) =>
        new(pageIndex * Page + 1, (pageIndex + 1) * Page, Page);

    [Fact]
    public async Task A_message_past_the_next_number_starts_a_new_epoch_there_and_what_was_stored_stays_readable()
    {
        var log = await AppendedAsync(12);
        var firstEpoch = log.Epoch;

        var startedAfter = await log.AppendAsync(Messages(65, 66));

        Assert.Equal(64, startedAfter);
        Assert.NotEqual(firstEpoch, log.Epoch);
        Assert.Equal((log.Epoch, 66L), (_state.Epoch, log.StoredSeq));
        Assert.Equal(Seqs(1, 12).Concat(Seqs(65, 66)), await SeqsAsync(log, new MessageQuery(1, long.MaxValue, 100)));

        var reloaded = Create(_state);
        await reloaded.LoadAsync(stored: true, CancellationToken.None);

        Assert.Equal(Seqs(1, 12).Concat(Seqs(65, 66)), await SeqsAsync(reloaded, new MessageQuery(1, long.MaxValue, 100)));
    }

    [Fact]
    public async Task A_new_epoch_keeps_what_the_head_page_held_beyond_a_head_that_went_back()
    {
        var log = await AppendedAsync(Page + 10);
        var beforeRestore = _state.Head.Take(5).ToList();
        // The store came back with the head as it was at Page + 5 while page 0, stored apart, kept its messages; what
        // the head had after Page + 5 is gone.
        _state.Head = beforeRestore;
        _state.LastSeq = Page + 5;
        var restored = Create(_state);
        await restored.LoadAsync(stored: true, CancellationToken.None);
        var survivor = Messages(Page + 7, Page + 7)[0];
        await _pages.SealAsync(_state.Epoch, 1, [survivor]);

        await restored.AppendAsync([], upTo: HistoryLog.EpochStartAfter(Page + 10));

        Assert.Equal(2L * Page, restored.StoredSeq);
        Assert.Equal(
            Seqs(1, Page + 5).Append(Page + 7),
            await SeqsAsync(restored, new MessageQuery(1, long.MaxValue, 1_000)));
    }

    [Fact]
    public async Task A_limited_read_counts_messages_across_the_numbers_a_regression_left_unused()
    {
        var log = await AppendedAsync(Page + 12);
        await log.AppendAsync([], upTo: HistoryLog.EpochStartAfter(5 * Page));
        await log.AppendAsync(Messages(6 * Page + 1, 6 * Page + 2));
        _pages.Read.Clear();

        Assert.Equal(
            Seqs(Page + 10, Page + 12).Concat(Seqs(6 * Page + 1, 6 * Page + 2)),
            await SeqsAsync(log, new MessageQuery(1, long.MaxValue, 5)));
        Assert.DoesNotContain(_pages.Read, pageIndex => pageIndex is > 1 and < 6);
    }

    [Fact]
    public async Task A_message_whose_write_failed_is_not_recognised_as_posted()
    {
        var log = await AppendedAsync(3);
        var unsaved = Messages(4, 4)[0];
        _heldWrite = new TaskCompletionSource();
        var append = log.AppendAsync([unsaved]);
        _heldWrite.SetException(new IOException("disk full"));

        await Assert.ThrowsAsync<IOException>(() => append);
        Assert.Null(log.FindRecent(unsaved.Id));
        Assert.Equal(3, log.StoredSeq);
    }

    [Fact]
    public void A_new_epoch_starts_at_the_first_page_boundary_past_every_number_seen()
    {
        Assert.Equal(Page, HistoryLog.EpochStartAfter(1));
        Assert.Equal(Page, HistoryLog.EpochStartAfter(Page - 1));
        Assert.Equal(2L * Page, HistoryLog.EpochStartAfter(Page));
    }

    [Fact]
    public async Task An_amendment_rewrites_only_the_one_sealed_page_holding_its_message()
    {
        var log = await AppendedAsync(5 * Page + 3);
        _pages.Sealed.Clear();
        _pages.Read.Clear();
        var writes = _writes;

        var target = (await log.FindAsync(Page + 5))!;
        await log.AppendAsync([Amendment(5 * Page + 4, target with { Text = "edited" }), Amendment(5 * Page + 5, target with { Text = "again" })]);

        // One page write for both amendments of the page, one write of the head: nothing else, whatever the length.
        Assert.Equal([1L], _pages.Sealed);
        Assert.Equal(writes + 1, _writes);
        var stored = (await log.FindAsync(Page + 5))!;
        Assert.Equal(("again", 5L * Page + 5), (stored.Text, stored.UpdatedSeq));
        var reread = Create(_state);
        await reread.LoadAsync(stored: true, CancellationToken.None);
        Assert.Equal("again", (await reread.FindAsync(Page + 5))!.Text);
    }

    [Fact]
    public async Task An_amendment_of_a_message_in_the_head_writes_no_page_and_reads_count_messages_only_when_asked()
    {
        var log = await AppendedAsync(10);
        var target = (await log.FindAsync(4))!;

        await log.AppendAsync([Amendment(11, target with { Deleted = true, Text = "" })]);

        Assert.Empty(_pages.Sealed);
        Assert.True((await log.FindAsync(4))!.Deleted);
        Assert.Null(await log.FindAsync(11));
        Assert.Equal(Seqs(2, 11), await SeqsAsync(log, new MessageQuery(1, 11, 10)));
        Assert.Equal(Seqs(1, 10), await SeqsAsync(log, new MessageQuery(1, 11, 10, MessagesOnly: true)));
    }

    [Fact]
    public async Task Nothing_is_found_outside_what_is_stored_and_kept()
    {
        _options.RetainMessages = 2 * Page;
        var log = await AppendedAsync(4 * Page);

        Assert.Null(await log.FindAsync(0));
        Assert.Null(await log.FindAsync(Page));
        Assert.NotNull(await log.FindAsync(3 * Page));
        Assert.Null(await log.FindAsync(4 * Page + 1));
    }

    private MessagePosted Amendment(long seq, MessagePosted changed) =>
        changed with { Id = Guid.NewGuid(), Seq = seq, Amends = changed.Seq, UpdatedSeq = seq, At = _time.GetUtcNow() };

    private static IEnumerable<long> Seqs(long from, long to) =>
        Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i);

    private static async Task<IEnumerable<long>> SeqsAsync(HistoryLog log, MessageQuery query) =>
        (await log.ReadAsync(query)).Messages.Select(m => m.Seq);

    private async Task<HistoryLog> LoadAsync(bool stored)
    {
        var log = Create(_state);
        await log.LoadAsync(stored, CancellationToken.None);
        return log;
    }

    private HistoryLog Create(RoomLogState state) =>
        new("lobby", state, WriteAsync, _pages, _options, _time, NullLogger.Instance);

    /// <summary>A new log holding messages 1 to <paramref name="count"/>, appended one by one like lone posts.</summary>
    private async Task<HistoryLog> AppendedAsync(int count)
    {
        var log = await LoadAsync(stored: false);
        foreach (var message in Messages(1, count))
        {
            await log.AppendAsync([message]);
        }

        return log;
    }

    private MessagePosted[] Messages(long from, long to) =>
        [.. Seqs(from, to).Select(seq =>
            new MessagePosted("lobby", _time.GetUtcNow(), Guid.NewGuid(), seq, "ana", Text(seq)))];

    private static string Text(long seq) => $"m{seq}";

    private Task WriteAsync(CancellationToken cancellationToken)
    {
        _writes++;
        return _heldWrite?.Task ?? Task.CompletedTask;
    }
}
