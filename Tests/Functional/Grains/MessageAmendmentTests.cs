using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// Edits, deletes and reactions through the room grain: each is numbered and published as an entry of its own, is
/// applied where history keeps the message, and costs the room the head and at most that one page.
/// </summary>
[Collection(ChatClusterCollection.Name)]
public sealed class MessageAmendmentTests(ChatClusterFixture fixture)
{
    private readonly string _room = "amend-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Guid _ana = Guid.NewGuid();

    private IChatRoomGrain Room => fixture.Grains.GetGrain<IChatRoomGrain>(_room);

    [Fact]
    public async Task Concurrent_reactions_all_land_in_order_and_survive_reactivation()
    {
        // The room's other four places, each reacting with three emoji at once: twelve amendments of one message.
        var sessions = Enumerable.Range(0, ChatClusterFixture.Limits.MaxMembersPerRoom - 1).Select(_ => Guid.NewGuid()).ToList();
        var emoji = ChatRules.Reactions.Take(ChatRules.MaxReactionsPerMember).ToList();
        await Room.Join(new JoinRequest("ana", _ana, "front"));
        foreach (var (session, i) in sessions.Select((s, i) => (s, i)))
        {
            await Room.Join(new JoinRequest($"m{i}", session, "front"));
        }

        await PostAsync(HistoryLog.PageSize + 6);
        var events = await fixture.ListenAsync(_room);

        var results = await Task.WhenAll(
            from e in emoji
            from i in Enumerable.Range(0, sessions.Count)
            select Room.React(new ReactRequest(3, $"m{i}", sessions[i], e, On: true)));

        var total = emoji.Count * sessions.Count;
        Assert.All(results, r => Assert.Equal(AmendStatus.Done, r.Status));
        // A subscription can still be handed the last posts, published just before it was made: skip to the changes.
        var published = new List<MessagePosted>();
        while (published.Count < total)
        {
            published.Add((MessagePosted)await events.FirstAsync(e => e is MessagePosted { Amends: not null }));
        }

        // Each built on the one before, though they were numbered while the sealed page was being read and written.
        Assert.Equal(Enumerable.Range(1, total), published.Select(p => p.Reactions!.Sum(r => r.By.Count)));
        Assert.All(published, p => Assert.Equal((3L, p.Seq), (p.Amends!.Value, p.UpdatedSeq)));
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var stored = (await Room.GetMessages(new MessageQuery(3, 3, 1))).Messages.Single();
        Assert.Equal(emoji, stored.Reactions!.Select(r => r.Emoji));
        Assert.All(stored.Reactions!, r => Assert.Equal(sessions.Count, r.By.Count));
        Assert.Equal(published[^1].Seq, stored.UpdatedSeq);
        Assert.Equal(published[^1].Seq, (await Room.GetSnapshot()).LastSeq);
    }

    [Fact]
    public async Task An_edit_deep_in_history_writes_the_head_and_the_one_page_holding_its_message()
    {
        await Room.Join(new JoinRequest("ana", _ana, "front"));
        await PostAsync(4 * HistoryLog.PageSize + 10);
        var before = fixture.History.Writes.Count;

        var edited = await Room.Edit(new EditRequest(HistoryLog.PageSize + 2, "ana", _ana, _ana, "rewritten"));

        Assert.Equal(AmendStatus.Done, edited.Status);
        var writes = fixture.History.Writes.Skip(before).ToList();
        Assert.Equal(["log", "page"], writes.Select(w => w.StateName).Order());
        Assert.Equal("rewritten", (await Room.GetMessages(new MessageQuery(HistoryLog.PageSize + 2, HistoryLog.PageSize + 2, 1))).Messages.Single().Text);
    }

    [Fact]
    public async Task Refusals_change_nothing_and_number_nothing()
    {
        var bia = Guid.NewGuid();
        await Room.Join(new JoinRequest("ana", _ana, "front"));
        await Room.Join(new JoinRequest("bia", bia, "front"));
        await PostAsync(2);

        var refused = new[]
        {
            await Room.Edit(new EditRequest(1, "bia", bia, bia, "mine now")),
            await Room.Edit(new EditRequest(9, "ana", _ana, _ana, "none")),
            await Room.Edit(new EditRequest(1, "ana", _ana, _ana, "\u0000")),
            await Room.Delete(new DeleteRequest(1, "bia", bia, bia)),
            await Room.Delete(new DeleteRequest(1, "ana", Guid.NewGuid(), _ana)),
            await Room.React(new ReactRequest(1, "bia", bia, "x", On: true)),
            await Room.React(new ReactRequest(1, "caio", Guid.NewGuid(), "👍", On: true)),
        };

        Assert.Equal(
            [AmendStatus.NotAuthor, AmendStatus.NotFound, AmendStatus.InvalidMessage, AmendStatus.NotAuthor, AmendStatus.NotMember,
             AmendStatus.InvalidReaction, AmendStatus.NotMember],
            refused.Select(r => r.Status));
        Assert.Equal(2, (await Room.GetSnapshot()).LastSeq);
        Assert.Equal(["m1", "m2"], (await Room.GetMessages(new MessageQuery(1, 2, 10))).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task A_moderator_deletes_any_message_without_being_a_member()
    {
        await Room.Join(new JoinRequest("ana", _ana, "front"));
        await PostAsync(1);

        var deleted = await Room.Delete(new DeleteRequest(1, "", Guid.Empty, Guid.Empty, Moderator: "chefe"));

        Assert.Equal((AmendStatus.Done, true), (deleted.Status, deleted.Message!.Deleted));
        var entry = (await Room.GetMessages(new MessageQuery(2, 2, 1))).Messages.Single();
        Assert.Equal(("chefe", 1L), (entry.By, entry.Amends!.Value));
    }

    private async Task PostAsync(int count)
    {
        var first = (await Room.GetSnapshot()).LastSeq + 1;
        for (var i = 0; i < count; i++)
        {
            var result = await Room.Post(new PostRequest(Guid.NewGuid(), "ana", _ana, $"m{first + i}", Owner: _ana));
            Assert.Equal(PostStatus.Posted, result.Status);
        }
    }
}
