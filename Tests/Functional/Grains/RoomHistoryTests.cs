using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>History paging, retention and durability of a room, through the grain's public contract.</summary>
[Collection(ChatClusterCollection.Name)]
public sealed class RoomHistoryTests(ChatClusterFixture fixture)
{
    private readonly string _room = "history-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Guid _session = Guid.NewGuid();

    private IChatRoomGrain Room => fixture.Grains.GetGrain<IChatRoomGrain>(_room);

    /// <summary>How often the room's log was read from storage: once per activation.</summary>
    private int LogLoads => fixture.History.ReadsOf(Room.GetGrainId(), "log");

    [Fact]
    public async Task Pages_back_by_sequence_number_across_sealed_pages_and_the_head()
    {
        await PostAsync(150);

        Assert.Equal(Range(101, 150), await SeqsAsync(new MessageQuery(1, 150, 50)));
        Assert.Equal(Range(51, 100), await SeqsAsync(new MessageQuery(1, 100, 50)));
        Assert.Equal(Range(1, 10), await SeqsAsync(new MessageQuery(1, 10, 50)));
        Assert.Equal(Range(60, 70), await SeqsAsync(new MessageQuery(60, 70, 100)));
        Assert.Equal(Range(1, 150), await SeqsAsync(new MessageQuery(1, 150, 1000)));
    }

    [Fact]
    public async Task Paging_edges_return_nothing_or_clamp()
    {
        await PostAsync(70);

        Assert.Empty(await SeqsAsync(new MessageQuery(71, 100, 10)));
        Assert.Empty(await SeqsAsync(new MessageQuery(1, 0, 10)));
        Assert.Empty(await SeqsAsync(new MessageQuery(1, 70, 0)));
        Assert.Equal(Range(61, 70), await SeqsAsync(new MessageQuery(1, long.MaxValue, 10)));
        Assert.Equal(Range(64, 65), await SeqsAsync(new MessageQuery(64, 65, 10)));
    }

    [Fact]
    public async Task An_empty_room_has_an_epoch_and_no_messages()
    {
        var range = await Room.GetMessages(new MessageQuery(1, long.MaxValue, 50));

        Assert.Empty(range.Messages);
        Assert.Equal(0, range.LastSeq);
        Assert.False(string.IsNullOrEmpty(range.Epoch));
        var other = await fixture.Grains.GetGrain<IChatRoomGrain>(_room + "-other").GetSnapshot();
        Assert.NotEqual(range.Epoch, other.Epoch);
    }

    [Fact]
    public async Task History_epoch_and_sequence_survive_reactivation()
    {
        await PostAsync(100);
        var before = await Room.GetSnapshot();
        var loads = LogLoads;

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var range = await Room.GetMessages(new MessageQuery(1, long.MaxValue, 1000));
        Assert.Equal(loads + 1, LogLoads);
        Assert.Equal(before.Epoch, range.Epoch);
        Assert.Equal(Range(1, 100), range.Messages.Select(m => m.Seq));
        Assert.Equal(Enumerable.Range(1, 100).Select(i => $"m{i}"), range.Messages.Select(m => m.Text));
        var next = await Room.Post(new PostRequest(Guid.NewGuid(), "ana", _session, "after"));
        Assert.Equal(101, next.Message!.Seq);
    }

    [Fact]
    public async Task Retention_keeps_the_configured_number_of_messages()
    {
        var retain = ChatClusterFixture.Limits.RetainMessages;
        await PostAsync(retain + 130);

        var range = await Room.GetMessages(new MessageQuery(1, long.MaxValue, 10_000));

        // Retention runs when a page is sealed: the first kept message is the newest limit as of the last seal.
        var lastSealed = (retain + 130) / HistoryLog.PageSize * HistoryLog.PageSize;
        Assert.Equal(lastSealed - retain + 1, range.FirstSeq);
        Assert.Equal(Range(range.FirstSeq, retain + 130), range.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_retry_is_recognised_right_after_its_page_was_sealed_and_after_reactivation()
    {
        var ids = await PostAsync(HistoryLog.PageSize);
        var lastId = ids[^1];

        var retry = await Room.Post(new PostRequest(lastId, "ana", _session, $"m{HistoryLog.PageSize}"));
        var loads = LogLoads;
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var retryAfterReactivation = await Room.Post(new PostRequest(lastId, "ana", _session, "again"));

        Assert.Equal(loads + 1, LogLoads);
        Assert.Equal(HistoryLog.PageSize, retry.Message!.Seq);
        Assert.Equal(HistoryLog.PageSize, retryAfterReactivation.Message!.Seq);
        Assert.Equal(HistoryLog.PageSize, (await Room.GetSnapshot()).LastSeq);
    }

    private async Task<List<Guid>> PostAsync(int count)
    {
        await Room.Join(new JoinRequest("ana", _session, "front"));
        var ids = new List<Guid>(count);
        var first = (await Room.GetSnapshot()).LastSeq + 1;
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid();
            var result = await Room.Post(new PostRequest(id, "ana", _session, $"m{first + i}"));
            Assert.Equal(PostStatus.Posted, result.Status);
            ids.Add(id);
        }

        return ids;
    }

    private async Task<IEnumerable<long>> SeqsAsync(MessageQuery query) =>
        (await Room.GetMessages(query)).Messages.Select(m => m.Seq);

    private static IEnumerable<long> Range(long from, long to) =>
        Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i);
}
