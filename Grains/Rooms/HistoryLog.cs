using Microsoft.Extensions.Logging;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// A room's message log: the head (<see cref="RoomLogState"/>, written on every append), the sealed pages before it
/// (<see cref="IHistoryPages"/>), the recent pages kept in memory, and retention, which drops whole pages as each new
/// one is sealed. An amendment (<see cref="MessagePosted.Amends"/>) is appended like a message and also rewrites the
/// message it amends where it is kept: the head, or the one sealed page holding it. Readers see only
/// <see cref="StoredSeq"/>: an append moves the head before its write succeeds. Not thread-safe: the room calls it one turn at a time, and only reads interleave with an append's awaits.
/// </summary>
public sealed partial class HistoryLog(
    string room,
    RoomLogState state,
    Func<CancellationToken, Task> writeState,
    IHistoryPages pages,
    ChatRoomOptions options,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// Entries per sealed page: the most an append ever rewrites for a message, or for each page an amendment reaches
    /// into, whatever the history's length.
    /// </summary>
    public const int PageSize = 64;

    /// <summary>Sealed pages kept in memory for reads and recoveries; the oldest index goes first.</summary>
    public const int CachedPages = 32;

    private readonly Dictionary<long, IReadOnlyList<MessagePosted>> _cached = [];

    public string Epoch => state.Epoch;

    /// <summary>The oldest sequence number retention still keeps.</summary>
    public long FirstSeq => state.FirstSeq;

    /// <summary>The last sequence number in storage: the only messages readers and joiners are shown.</summary>
    public long StoredSeq { get; private set; }

    /// <summary>Every message up to here is in a sealed page; the head holds the rest.</summary>
    private long SealedUpTo => state.LastSeq - state.Head.Count;

    /// <summary>
    /// Starts a new epoch when the room has no stored log; otherwise brings back the page before the head, so a post
    /// retried across a reactivation is still recognised.
    /// </summary>
    public async Task LoadAsync(bool stored, CancellationToken cancellationToken)
    {
        if (!stored)
        {
            state.Epoch = Guid.NewGuid().ToString("N");
            await writeState(cancellationToken);
            LogNewEpoch(room, state.Epoch);
        }
        else if (SealedUpTo >= Math.Max(state.FirstSeq, 1))
        {
            await PageMessagesAsync(PageOf(SealedUpTo));
        }

        StoredSeq = state.LastSeq;
    }

    /// <summary>
    /// Adds messages to the head, sealing each page they fill, and writes the log once. Messages are numbered on from
    /// the last, except after a regression: a message (or <paramref name="upTo"/>, with no message) past the next
    /// number starts a new epoch there (<see cref="StartEpochAfterAsync"/>). If the write fails, memory is ahead of
    /// storage and the room must reload. Returns the number a new epoch started after, if this append started one.
    /// </summary>
    public async Task<long?> AppendAsync(IReadOnlyList<MessagePosted> messages, long upTo = 0)
    {
        long? epochStartedAfter = null;
        Dictionary<long, List<MessagePosted>>? amendedPages = null;
        foreach (var message in messages)
        {
            if (message.Seq > state.LastSeq + 1)
            {
                epochStartedAfter = message.Seq - 1;
                await StartEpochAfterAsync(message.Seq - 1);
            }

            if (message.Amends is { } target)
            {
                await ApplyAsync(target, message, amendedPages ??= []);
            }

            state.Head.Add(message);
            state.LastSeq = message.Seq;
            if (state.Head.Count == PageSize)
            {
                await SealHeadAsync();
            }
        }

        if (upTo > state.LastSeq)
        {
            epochStartedAfter = upTo;
            await StartEpochAfterAsync(upTo);
        }

        // Pages before the head, each written once however many amendments it took: if the head's write then fails
        // the room reloads, and a page may show an amendment the log never acknowledged, which its retry finds done.
        if (amendedPages is not null)
        {
            await Task.WhenAll(amendedPages.Select(page => pages.SealAsync(PagesEpoch, page.Key, page.Value)));
        }

        await writeState(CancellationToken.None);
        StoredSeq = state.LastSeq;
        return epochStartedAfter;
    }

    /// <summary>
    /// The stored message numbered <paramref name="seq"/>, as it now is; null when there is none (never stored, an
    /// amendment, a number a regression left unused, or dropped by retention). Reads at most the one page holding it.
    /// </summary>
    public async Task<MessagePosted?> FindAsync(long seq)
    {
        if (seq < state.FirstSeq || seq > StoredSeq)
        {
            return null;
        }

        var page = await PageMessagesAsync(PageOf(seq));
        return IndexOf(page, seq) is var index and >= 0 && page[index].IsMessage ? page[index] : null;
    }

    /// <summary>
    /// Where a new epoch starts after a regression: past <paramref name="seenSeq"/>, at the start of a page, so the
    /// pages' numbering stays whole and every page sealed before the regression keeps its index.
    /// </summary>
    public static long EpochStartAfter(long seenSeq) => (seenSeq / PageSize + 1) * PageSize;

    /// <summary>
    /// The stored messages from <see cref="MessageQuery.FromSeq"/> to <see cref="MessageQuery.ToSeq"/>; when there
    /// are more than <see cref="MessageQuery.Limit"/>, the newest of them.
    /// </summary>
    public async Task<MessageRange> ReadAsync(MessageQuery query)
    {
        var floor = Math.Max(query.FromSeq, state.FirstSeq);
        var limit = Math.Max(query.Limit, 0);
        var newestFirst = new List<MessagePosted>(Math.Min(limit, PageSize * 4));
        // Newest first, a page at a time, so a limit counts messages even where a regression left numbers unused.
        for (var seq = Math.Min(query.ToSeq, StoredSeq); seq >= floor && newestFirst.Count < limit;)
        {
            if (state.Gaps.Count > 0 && state.Gaps.Find(gap => gap.After < seq && seq <= gap.UpTo) is { } gap)
            {
                seq = gap.After;
                continue;
            }

            var pageIndex = PageOf(seq);
            var page = await PageMessagesAsync(pageIndex);
            for (var i = page.Count - 1; i >= 0 && newestFirst.Count < limit; i--)
            {
                if (page[i].Seq <= seq && page[i].Seq >= floor && (page[i].IsMessage || !query.MessagesOnly))
                {
                    newestFirst.Add(page[i]);
                }
            }

            seq = pageIndex * PageSize;
        }

        newestFirst.Reverse();
        return new MessageRange(state.Epoch, state.FirstSeq, StoredSeq, newestFirst);
    }

    /// <summary>
    /// A retried post is recognised within the head and the page sealed just before it, once stored: after a failed
    /// write the head holds messages storage does not, and their retry must not be told they were posted.
    /// </summary>
    public MessagePosted? FindRecent(Guid messageId)
    {
        var found = state.Head.Find(m => m.Id == messageId);
        if (found is null && SealedUpTo > 0 && _cached.TryGetValue(PageOf(SealedUpTo), out var previous))
        {
            found = previous.FirstOrDefault(m => m.Id == messageId);
        }

        return found?.Seq <= StoredSeq ? found : null;
    }

    /// <summary>
    /// The oldest sequence number <see cref="FindRecent"/> still recognises: the first of the page sealed before the
    /// head, so at least the last <see cref="PageSize"/> stored messages and at most twice that. Past the end of the
    /// log (nothing to recognise yet) it is the next number.
    /// </summary>
    public long RecentFromSeq =>
        SealedUpTo > 0 && _cached.TryGetValue(PageOf(SealedUpTo), out var previous) && previous.Count > 0
            ? previous[0].Seq
            : state.Head.Count > 0 ? state.Head[0].Seq : StoredSeq + 1;

    private static long PageOf(long seq) => (seq - 1) / PageSize;

    private static int IndexOf(IReadOnlyList<MessagePosted> page, long seq)
    {
        for (var i = 0; i < page.Count; i++)
        {
            if (page[i].Seq == seq)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Puts an amendment's new state into the message it amends: in the head, which the append writes anyway, or in
    /// the one sealed page that holds it, collected in <paramref name="amendedPages"/> to be written once. A message
    /// that retention dropped meanwhile stays dropped.
    /// </summary>
    private async Task ApplyAsync(long target, MessagePosted amendment, Dictionary<long, List<MessagePosted>> amendedPages)
    {
        if (target < state.FirstSeq)
        {
            return;
        }

        var pageIndex = PageOf(target);
        var page = target > SealedUpTo
            ? state.Head
            : amendedPages.TryGetValue(pageIndex, out var copy) ? copy : [.. await PageMessagesAsync(pageIndex)];
        var index = IndexOf(page, target);
        if (index < 0)
        {
            return;
        }

        page[index] = page[index] with
        {
            Text = amendment.Text,
            Mentions = amendment.Mentions,
            EditedAt = amendment.EditedAt,
            Deleted = amendment.Deleted,
            Reactions = amendment.Reactions,
            UpdatedSeq = amendment.Seq,
        };
        if (page != state.Head)
        {
            amendedPages[pageIndex] = page;
            Remember(pageIndex, page);
        }
    }

    /// <summary>The epoch the sealed pages are keyed by, which a regression does not change.</summary>
    private string PagesEpoch => string.IsNullOrEmpty(state.PagesEpoch) ? state.Epoch : state.PagesEpoch;

    /// <summary>
    /// The store regressed: numbering goes on after <paramref name="lastSeq"/> in a new epoch. The head is sealed
    /// into its page together with whatever that page kept from before the regression (pages are stored apart from
    /// the head, and may have outlived it), so nothing the store still has becomes unreadable.
    /// </summary>
    private async Task StartEpochAfterAsync(long lastSeq)
    {
        var lastPresent = state.LastSeq;
        if (state.Head.Count > 0)
        {
            var pageIndex = PageOf(state.LastSeq);
            var survivors = await pages.GetAsync(PagesEpoch, pageIndex);
            var merged = state.Head.Concat(survivors.Where(m => m.Seq > state.LastSeq)).ToList();
            await pages.SealAsync(PagesEpoch, pageIndex, merged);
            Remember(pageIndex, merged);
            lastPresent = merged[^1].Seq;
        }

        // Pages past the head may have outlived it too; the numbers after the last message found are left unused.
        for (var pageIndex = PageOf(lastPresent) + 1; pageIndex <= PageOf(lastSeq); pageIndex++)
        {
            if (await pages.GetAsync(PagesEpoch, pageIndex) is { Count: > 0 } survivors)
            {
                Remember(pageIndex, survivors);
                lastPresent = survivors[^1].Seq;
            }
        }

        if (lastPresent < lastSeq)
        {
            state.Gaps.Add(new SeqGap(lastPresent, lastSeq));
        }

        var previous = state.Epoch;
        state.PagesEpoch = PagesEpoch;
        state.Epoch = Guid.NewGuid().ToString("N");
        state.Head = [];
        LogEpochAfterRegression(room, state.Epoch, previous, state.LastSeq, lastSeq);
        state.LastSeq = lastSeq;
    }

    private async Task<IReadOnlyList<MessagePosted>> PageMessagesAsync(long pageIndex)
    {
        if (pageIndex >= SealedUpTo / PageSize)
        {
            return state.Head;
        }

        if (!_cached.TryGetValue(pageIndex, out var messages))
        {
            messages = await pages.GetAsync(PagesEpoch, pageIndex);
            Remember(pageIndex, messages);
        }

        return messages;
    }

    private async Task SealHeadAsync()
    {
        var pageIndex = PageOf(state.LastSeq);
        var sealedMessages = state.Head.ToList();
        await pages.SealAsync(PagesEpoch, pageIndex, sealedMessages);
        Remember(pageIndex, sealedMessages);
        state.Head = [];
        await ApplyRetentionAsync();
    }

    /// <summary>Drops whole pages that fall outside the retention limits, oldest first.</summary>
    private async Task ApplyRetentionAsync()
    {
        var firstSeq = state.FirstSeq;
        if (options.RetainMessages > 0)
        {
            firstSeq = Math.Max(firstSeq, state.LastSeq - options.RetainMessages + 1);
        }

        if (options.RetainFor is { } maxAge)
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

        if (firstSeq == state.FirstSeq)
        {
            return;
        }

        var dropped = Enumerable.Range(0, (int)(PageOf(firstSeq) - PageOf(state.FirstSeq)))
            .Select(i => PageOf(state.FirstSeq) + i)
            .ToList();
        state.FirstSeq = firstSeq;
        foreach (var pageIndex in dropped)
        {
            _cached.Remove(pageIndex);
        }

        await Task.WhenAll(dropped.Select(pageIndex => pages.ClearAsync(PagesEpoch, pageIndex)));
        LogRetention(room, firstSeq, dropped.Count);
    }

    private void Remember(long pageIndex, IReadOnlyList<MessagePosted> messages)
    {
        if (_cached.Count >= CachedPages)
        {
            _cached.Remove(_cached.Keys.Min());
        }

        _cached[pageIndex] = messages;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {Room} starts history epoch {Epoch}")]
    private partial void LogNewEpoch(string room, string epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {Room} starts history epoch {Epoch} after {Previous}: storage had messages up to {RestoredSeq}, numbering goes on after {LastSeq}")]
    private partial void LogEpochAfterRegression(string room, string epoch, string previous, long restoredSeq, long lastSeq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Room {Room} now keeps history from {FirstSeq} ({Pages} pages dropped)")]
    private partial void LogRetention(string room, long firstSeq, int pages);
}
