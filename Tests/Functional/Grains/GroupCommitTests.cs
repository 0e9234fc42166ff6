using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// Posts that arrive together are stored together (group commit). What must hold whatever the batching: every
/// acknowledged post has its own gapless sequence number, history and the stream carry them all in that order, and a
/// retry of a post that is still being written waits for it instead of posting twice.
/// </summary>
[Collection(ChatClusterCollection.Name)]
public sealed class GroupCommitTests(ChatClusterFixture fixture)
{
    private readonly string _room = "commit-" + Guid.NewGuid().ToString("N")[..8];

    private IChatRoomGrain Room => fixture.Grains.GetGrain<IChatRoomGrain>(_room);

    [Fact]
    public async Task Concurrent_posts_from_several_members_get_gapless_sequence_numbers_in_history_and_on_the_stream()
    {
        const int perMember = 50;
        var members = new[] { "ana", "bia", "caio" }.Select(n => (Nickname: n, Session: Guid.NewGuid())).ToList();
        foreach (var (nickname, session) in members)
        {
            await Room.Join(new JoinRequest(nickname, session, "front"));
        }

        var inbox = await fixture.ListenAsync(_room);
        var posts = members
            .SelectMany(m => Enumerable.Range(0, perMember).Select(i => new PostRequest(Guid.NewGuid(), m.Nickname, m.Session, $"{m.Nickname}{i}")))
            .Select(request => Room.Post(request))
            .ToList();
        var results = await Task.WhenAll(posts);

        var total = members.Count * perMember;
        Assert.All(results, r => Assert.Equal(PostStatus.Posted, r.Status));
        Assert.Equal(Seqs(total), results.Select(r => r.Message!.Seq).Order());
        var history = await Room.GetMessages(new MessageQuery(1, long.MaxValue, 1000));
        Assert.Equal(Seqs(total), history.Messages.Select(m => m.Seq));
        Assert.Equal(
            results.OrderBy(r => r.Message!.Seq).Select(r => (r.Message!.Id, r.Message.Text)),
            history.Messages.Select(m => (m.Id, m.Text)));
        var streamed = new List<long>();
        while (streamed.Count < total)
        {
            if (await inbox.NextAsync() is MessagePosted message)
            {
                streamed.Add(message.Seq);
            }
        }

        Assert.Equal(Seqs(total), streamed);
        Assert.Equal(total, (await Room.GetSnapshot()).LastSeq);
    }

    [Fact]
    public async Task A_retry_sent_while_the_first_attempt_is_still_being_written_returns_the_same_message()
    {
        var session = Guid.NewGuid();
        await Room.Join(new JoinRequest("ana", session, "front"));
        var request = new PostRequest(Guid.NewGuid(), "ana", session, "once");
        var filler = Enumerable.Range(0, 20)
            .Select(i => Room.Post(new PostRequest(Guid.NewGuid(), "ana", session, $"f{i}")))
            .ToList();

        var attempts = await Task.WhenAll(Room.Post(request), Room.Post(request), Room.Post(request));
        await Task.WhenAll(filler);

        Assert.Single(attempts.Select(a => a.Message!.Seq).Distinct());
        var history = await Room.GetMessages(new MessageQuery(1, long.MaxValue, 100));
        Assert.Single(history.Messages, m => m.Id == request.MessageId);
        Assert.Equal(Seqs(21), history.Messages.Select(m => m.Seq));
    }

    private static IEnumerable<long> Seqs(int count) => Enumerable.Range(1, count).Select(i => (long)i);
}
