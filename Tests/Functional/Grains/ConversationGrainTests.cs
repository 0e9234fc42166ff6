using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// Issue 17, direct messages: a conversation's room admits its participants (owners, not nicknames) and nobody else,
/// and answers a stranger exactly as it answers a name no conversation has.
/// </summary>
[Collection(ChatClusterCollection.Name)]
public sealed class ConversationGrainTests(ChatClusterFixture fixture)
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_conversation_admits_its_participants_and_refuses_strangers_and_a_later_holder_of_a_nickname()
    {
        var (ana, bia) = (Member("ana"), Member("bia"));
        var room = ConversationIds.Pair(ana, bia);

        var opened = await Conversation(room).Open(new OpenConversationRequest([ana, bia]));
        var anaJoin = await Room(room).Join(new JoinRequest(ana.Nickname, ana.Owner, "front"));
        var stranger = await Room(room).Join(new JoinRequest($"caio{_tag}", Guid.NewGuid(), "front"));
        // Anonymous participants are sessions: a new session under bia's nickname is someone else.
        var nextBia = await Room(room).Join(new JoinRequest(bia.Nickname, Guid.NewGuid(), "front"));
        var madeUp = await Room(ConversationIds.NewGroup()).Join(new JoinRequest(ana.Nickname, ana.Owner, "front"));

        Assert.Equal([ana, bia], opened.Members);
        Assert.Equal(JoinStatus.Joined, anaJoin.Status);
        Assert.Equal(
            [JoinStatus.NotParticipant, JoinStatus.NotParticipant, JoinStatus.NotParticipant],
            new[] { stranger.Status, nextBia.Status, madeUp.Status });
        Assert.All(new[] { stranger, nextBia, madeUp }, r => Assert.Null(r.Room));
    }

    [Fact]
    public async Task An_accounts_every_session_is_the_participant()
    {
        var (ana, bia) = (Member("ana", ReadOwner.Account), Member("bia", ReadOwner.Account));
        var room = ConversationIds.Pair(ana, bia);
        await Conversation(room).Open(new OpenConversationRequest([ana, bia]));

        var anySession = await Room(room).Join(new JoinRequest(bia.Nickname, Guid.NewGuid(), "front"));

        Assert.Equal(JoinStatus.Joined, anySession.Status);
    }

    [Fact]
    public async Task A_pairs_id_is_the_same_whoever_opens_it_and_opening_again_keeps_the_participants()
    {
        var (ana, bia, caio) = (Member("ana"), Member("bia"), Member("caio"));

        var room = ConversationIds.Pair(ana, bia);
        await Conversation(room).Open(new OpenConversationRequest([ana, bia]));
        var again = await Conversation(ConversationIds.Pair(bia, ana)).Open(new OpenConversationRequest([bia, ana]));

        Assert.True(ChatRules.IsConversation(room));
        Assert.Equal(room, ConversationIds.Pair(bia, ana));
        Assert.NotEqual(room, ConversationIds.Pair(ana, caio));
        Assert.NotEqual(ConversationIds.NewGroup(), ConversationIds.NewGroup());
        Assert.Equal([ana, bia], again.Members);
    }

    [Fact]
    public async Task Opening_puts_the_conversation_on_each_owners_list_and_a_new_owner_starts_an_empty_one()
    {
        var (ana, bia) = (Member("ana"), Member("bia"));
        var room = ConversationIds.Pair(ana, bia);
        await Conversation(room).Open(new OpenConversationRequest([ana, bia]));

        var anas = await List(ana).Get(new ConversationListQuery(ana.Owner));
        var bias = await List(bia).Get(new ConversationListQuery(bia.Owner));
        var nextBias = await List(bia).Get(new ConversationListQuery(Guid.NewGuid()));

        Assert.Equal([room], anas.Rooms);
        Assert.Equal([room], bias.Rooms);
        Assert.Empty(nextBias.Rooms);
    }

    [Fact]
    public async Task A_conversation_needs_two_distinct_participants_and_a_conversation_name()
    {
        var ana = Member("ana");

        var alone = await Conversation(ConversationIds.NewGroup()).Open(new OpenConversationRequest([ana]));
        var twice = await Conversation(ConversationIds.NewGroup()).Open(new OpenConversationRequest([ana, ana]));
        var publicName = await Conversation($"dev{_tag}").Open(new OpenConversationRequest([ana, Member("bia")]));

        Assert.All(new[] { alone, twice, publicName }, r => Assert.False(r.Exists));
    }

    [Fact]
    public async Task Conversations_do_not_count_towards_the_public_room_limit_and_are_never_listed()
    {
        var key = ChatRules.KeyOf($"dora{_tag}");
        var claim = await fixture.Grains.GetGrain<INicknameGrain>(key).Claim(
            new ClaimRequest($"dora{_tag}", [1, 2, 3], "conn", "front"));
        var dora = new ConversationMember(claim.Nickname, key, claim.SessionId);
        var conversations = new List<string>();
        for (var i = 0; i < ChatClusterFixture.Limits.MaxRoomsPerUser + 1; i++)
        {
            var room = ConversationIds.Pair(dora, Member($"friend{i}"));
            await Conversation(room).Open(new OpenConversationRequest([dora, Member($"friend{i}")]));
            conversations.Add(room);
        }

        var results = new List<JoinResult>();
        foreach (var room in conversations)
        {
            results.Add(await fixture.Grains.GetGrain<INicknameGrain>(key).JoinRoom(new SessionRoomRequest(claim.SessionId, room, "conn")));
        }

        var listed = await fixture.Grains.GetGrain<IRoomDirectoryGrain>(0).List();

        Assert.All(results, r => Assert.Equal(JoinStatus.Joined, r.Status));
        Assert.DoesNotContain(listed, r => ChatRules.IsConversation(r.Room));
    }

    private ConversationMember Member(string name, Guid? owner = null)
    {
        var nickname = name + _tag;
        return new ConversationMember(nickname, ChatRules.KeyOf(nickname), owner ?? Guid.NewGuid());
    }

    private IConversationGrain Conversation(string room) => fixture.Grains.GetGrain<IConversationGrain>(room);

    private IConversationListGrain List(ConversationMember member) => fixture.Grains.GetGrain<IConversationListGrain>(member.UserKey);

    private IChatRoomGrain Room(string room) => fixture.Grains.GetGrain<IChatRoomGrain>(room);
}
