using System.Security.Cryptography;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>Bans are the room grain's to enforce, so they hold on every front; a kick ends a session everywhere.</summary>
[Collection(ChatClusterCollection.Name)]
public sealed class RoomModerationTests(ChatClusterFixture fixture)
{
    private readonly string _room = "mod-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private IChatRoomGrain Room => fixture.Grains.GetGrain<IChatRoomGrain>(_room);

    [Fact]
    public async Task A_ban_removes_the_member_and_refuses_its_joins_and_posts()
    {
        var events = await fixture.ListenAsync(_room);
        var ana = Guid.NewGuid();
        await Room.Join(new JoinRequest("Ana", ana, "front"));
        await Room.Join(new JoinRequest("Bia", Guid.NewGuid(), "front"));

        var ban = await Room.Ban(new ModerationRequest("ANA", "admin"));

        Assert.Equal((ModerationStatus.Done, "Ana"), (ban.Status, ban.Nickname));
        var removed = Assert.IsType<MemberRemoved>(await events.FirstAsync(e => e is MemberRemoved));
        Assert.Equal(("Ana", RemovalReason.Banned), (removed.Nickname, removed.Reason));
        Assert.Equal(["Bia"], (await Room.GetSnapshot()).Members);
        Assert.Equal(PostStatus.Banned, (await Room.Post(new PostRequest(Guid.NewGuid(), "Ana", ana, "still here?"))).Status);
        Assert.Equal(JoinStatus.Banned, (await Room.Join(new JoinRequest("ana", ana, "front"))).Status);
        Assert.Equal(JoinStatus.Banned, (await Room.Join(new JoinRequest(" ANA ", Guid.NewGuid(), "front"))).Status);
    }

    [Fact]
    public async Task A_nickname_banned_before_it_comes_cannot_join_until_unbanned()
    {
        await Room.Ban(new ModerationRequest("Caio", "admin"));
        var refused = await Room.Join(new JoinRequest("caio", Guid.NewGuid(), "front"));

        await Room.Unban(new ModerationRequest("CAIO", "admin"));
        var session = Guid.NewGuid();
        var admitted = await Room.Join(new JoinRequest("caio", session, "front"));

        Assert.Equal(JoinStatus.Banned, refused.Status);
        Assert.Equal(JoinStatus.Joined, admitted.Status);
        Assert.Equal(PostStatus.Posted, (await Room.Post(new PostRequest(Guid.NewGuid(), "caio", session, "back"))).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\u0001b")]
    public async Task Invalid_nicknames_cannot_be_banned(string nickname)
    {
        Assert.Equal(ModerationStatus.InvalidNickname, (await Room.Ban(new ModerationRequest(nickname, "admin"))).Status);
        Assert.Equal(ModerationStatus.InvalidNickname, (await Room.Unban(new ModerationRequest(nickname, "admin"))).Status);
    }

    [Fact]
    public async Task A_kick_removes_the_user_from_each_room_and_frees_the_nickname()
    {
        var nickname = $"Dora{_tag}";
        var grain = fixture.Grains.GetGrain<INicknameGrain>(ChatRules.KeyOf(nickname));
        var claim = await grain.Claim(new ClaimRequest(nickname, Hash(), "conn-1", "front"));
        await grain.JoinRoom(new SessionRoomRequest(claim.SessionId, _room));
        var events = await fixture.ListenAsync(_room);

        var kick = await grain.Kick(new ModerationRequest(nickname, "admin"));

        Assert.Equal(ModerationStatus.Done, kick.Status);
        var removed = Assert.IsType<MemberRemoved>(await events.FirstAsync(e => e is MemberRemoved));
        Assert.Equal((nickname, RemovalReason.Kicked), (removed.Nickname, removed.Reason));
        Assert.Empty((await Room.GetSnapshot()).Members);
        Assert.Equal(ClaimStatus.Claimed, (await grain.Claim(new ClaimRequest(nickname, Hash(), "conn-2", "front"))).Status);
        Assert.Equal(ModerationStatus.NotFound, (await fixture.Grains.GetGrain<INicknameGrain>("NOBODY" + _tag)
            .Kick(new ModerationRequest("nobody", "admin"))).Status);
    }

    private static byte[] Hash() => SHA256.HashData(RandomNumberGenerator.GetBytes(32));
}
