using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Tests.Functional.Grains;

[Collection(ChatClusterCollection.Name)]
public sealed class ChatRoomGrainTests(ChatClusterFixture fixture)
{
    private readonly string _room = "room-" + Guid.NewGuid().ToString("N")[..8];

    private readonly Dictionary<int, Guid> _sessions = [];

    private IChatRoomGrain Room => fixture.Grains.GetGrain<IChatRoomGrain>(_room);

    private Guid S(int i) => _sessions.TryGetValue(i, out var id) ? id : _sessions[i] = Guid.NewGuid();

    [Fact]
    public async Task Join_registers_the_trimmed_nickname_and_publishes_it()
    {
        var events = await fixture.ListenAsync(_room);

        var result = await Room.Join(new JoinRequest("  Ana  ", S(1), "front"));

        Assert.Equal((JoinStatus.Joined, "Ana"), (result.Status, result.Nickname));
        var joined = Assert.IsType<MemberJoined>(await events.NextAsync());
        Assert.Equal(("Ana", _room), (joined.Nickname, joined.Room));
        Assert.Equal(["Ana"], (await Room.GetSnapshot()).Members);
    }

    [Theory]
    [InlineData("ana")]
    [InlineData("ANA")]
    [InlineData(" Ana ")]
    public async Task Nicknames_are_unique_ignoring_case_and_surrounding_spaces(string duplicate)
    {
        await Room.Join(new JoinRequest("Ana", S(1), "front"));

        var result = await Room.Join(new JoinRequest(duplicate, S(2), "front"));

        Assert.Equal((JoinStatus.NicknameTaken, "Ana"), (result.Status, result.Nickname));
        Assert.Equal(["Ana"], (await Room.GetSnapshot()).Members);
    }

    [Fact]
    public async Task Joining_again_from_the_same_connection_is_idempotent()
    {
        var events = await fixture.ListenAsync(_room);
        await Room.Join(new JoinRequest("Ana", S(1), "front"));

        var retry = await Room.Join(new JoinRequest("Ana", S(1), "front"));
        await Room.Join(new JoinRequest("Bia", S(2), "front"));

        Assert.Equal(JoinStatus.Joined, retry.Status);
        var seen = await events.TakeAsync(2);
        Assert.Equal(["Ana", "Bia"], seen.Cast<MemberJoined>().Select(e => e.Nickname));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\u0001b")]
    [InlineData("123456789012345678901234567890123")]
    public async Task Invalid_nicknames_are_refused_and_nothing_is_published(string nickname)
    {
        var events = await fixture.ListenAsync(_room);

        var result = await Room.Join(new JoinRequest(nickname, S(1), "front"));
        await Room.Join(new JoinRequest("Marker", S(2), "front"));

        Assert.Equal(JoinStatus.InvalidNickname, result.Status);
        Assert.Equal("Marker", Assert.IsType<MemberJoined>(await events.NextAsync()).Nickname);
    }

    [Fact]
    public async Task Only_members_can_post_and_only_as_themselves()
    {
        await Room.Join(new JoinRequest("Ana", S(1), "front"));

        var stranger = await Room.Post(new PostRequest(Guid.NewGuid(), "Bia", S(9), "hi"));
        var impostor = await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(9), "hi"));

        Assert.Equal(PostStatus.NotMember, stranger.Status);
        Assert.Equal(PostStatus.NotMember, impostor.Status);
        Assert.Equal(0, (await Room.GetSnapshot()).LastSeq);
    }

    [Fact]
    public async Task Invalid_messages_are_refused_without_using_a_sequence_number()
    {
        await Room.Join(new JoinRequest("Ana", S(1), "front"));

        var result = await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(1), "\u0007"));
        var next = await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(1), "ok"));

        Assert.Equal(PostStatus.InvalidMessage, result.Status);
        Assert.Equal(1, next.Message!.Seq);
    }

    [Fact]
    public async Task A_message_carries_id_sequence_nickname_text_and_server_time()
    {
        var events = await fixture.ListenAsync(_room);
        await Room.Join(new JoinRequest("ana", S(1), "front"));
        var id = Guid.NewGuid();
        var before = DateTimeOffset.UtcNow;

        var result = await Room.Post(new PostRequest(id, "ANA", S(1), "  olá\r\nmundo "));

        var posted = result.Message!;
        Assert.Equal((PostStatus.Posted, id, 1L, "ana", "olá\nmundo", _room),
            (result.Status, posted.Id, posted.Seq, posted.Nickname, posted.Text, posted.Room));
        Assert.InRange(posted.At, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(TimeSpan.Zero, posted.At.Offset);
        await events.NextAsync();
        Assert.Equal(posted, await events.NextAsync());
    }

    [Fact]
    public async Task A_message_names_the_members_it_mentions_as_they_spell_themselves_and_history_keeps_them()
    {
        await Room.Join(new JoinRequest("Ana", S(1), "front"));
        await Room.Join(new JoinRequest("bia", S(2), "front"));

        var mentioning = await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(1), "@BIA @ana @stranger olá"));
        var plain = await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(1), "olá"));

        Assert.Equal(["bia", "Ana"], mentioning.Message!.Mentions);
        Assert.Null(plain.Message!.Mentions);
        var stored = await Room.GetMessages(new MessageQuery(1, 2, 10));
        Assert.Equal(["bia", "Ana"], stored.Messages[0].Mentions);
    }

    [Fact]
    public async Task A_retried_post_is_not_posted_twice()
    {
        var events = await fixture.ListenAsync(_room);
        await Room.Join(new JoinRequest("Ana", S(1), "front"));
        var request = new PostRequest(Guid.NewGuid(), "Ana", S(1), "once");

        var first = await Room.Post(request);
        var retry = await Room.Post(request);
        var next = await Room.Post(request with { MessageId = Guid.NewGuid(), Text = "twice" });

        Assert.Equal(first, retry);
        Assert.Equal(2, next.Message!.Seq);
        var posted = (await events.TakeAsync(3)).OfType<MessagePosted>().Select(m => m.Text);
        Assert.Equal(["once", "twice"], posted);
    }

    [Fact]
    public async Task Concurrent_posts_get_gapless_sequence_numbers_and_arrive_on_the_stream_in_order()
    {
        const int senders = 4, perSender = 50;
        var events = await fixture.ListenAsync(_room);
        for (var s = 0; s < senders; s++)
        {
            await Room.Join(new JoinRequest($"s{s}", S(s), "front"));
        }

        var posts = Enumerable.Range(0, senders).SelectMany(s => Enumerable.Range(0, perSender)
            .Select(i => Room.Post(new PostRequest(Guid.NewGuid(), $"s{s}", S(s), $"{s}:{i}"))));
        var results = await Task.WhenAll(posts);

        const int total = senders * perSender;
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), results.Select(r => r.Message!.Seq).Order());
        var streamed = (await events.TakeAsync(senders + total)).OfType<MessagePosted>().ToList();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), streamed.Select(m => m.Seq));
        Assert.Equal(total, streamed.Select(m => m.Text).Distinct().Count());
    }

    [Fact]
    public async Task Leave_removes_only_the_owning_connection_and_publishes_it()
    {
        var events = await fixture.ListenAsync(_room);
        await Room.Join(new JoinRequest("Ana", S(1), "front"));

        await Room.Leave(new LeaveRequest("Ana", Guid.NewGuid()));
        Assert.Equal(["Ana"], (await Room.GetSnapshot()).Members);
        await Room.Leave(new LeaveRequest("ana", S(1)));

        Assert.Empty((await Room.GetSnapshot()).Members);
        Assert.IsType<MemberJoined>(await events.NextAsync());
        Assert.Equal("Ana", Assert.IsType<MemberLeft>(await events.NextAsync()).Nickname);
    }

    [Fact]
    public async Task Leaving_when_not_a_member_is_silent()
    {
        var events = await fixture.ListenAsync(_room);

        await Room.Leave(new LeaveRequest("Ghost", S(1)));
        await Room.Join(new JoinRequest("Marker", S(2), "front"));

        Assert.IsType<MemberJoined>(await events.NextAsync());
    }

    [Fact]
    public async Task Members_and_sequence_survive_the_grain_being_deactivated()
    {
        await Room.Join(new JoinRequest("Ana", S(1), "front"));
        await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(1), "one"));
        await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(1), "two"));
        // The room's log is read from storage once per activation: one more read is a new activation.
        var loads = fixture.History.ReadsOf(Room.GetGrainId(), "log");

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", S(1), "three"));

        Assert.Equal(loads + 1, fixture.History.ReadsOf(Room.GetGrainId(), "log"));
        Assert.Equal(3, after.Message!.Seq);
        Assert.Equal(["Ana"], (await Room.GetSnapshot()).Members);
    }
}
