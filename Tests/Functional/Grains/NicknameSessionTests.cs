using System.Security.Cryptography;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>Nickname ownership across rooms, room limits, and the grace period of a dropped connection.</summary>
[Collection(ChatClusterCollection.Name)]
public sealed class NicknameSessionTests(ChatClusterFixture fixture)
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private readonly byte[] _hash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));

    private static TimeSpan Grace => ChatClusterFixture.Limits.ReconnectGrace;

    [Fact]
    public async Task A_nickname_is_unique_across_the_whole_server_ignoring_case()
    {
        var first = await ClaimAsync($"Ana{_tag}", "conn-1");

        var second = await Nickname($"ANA{_tag}").Claim(new ClaimRequest($"ANA{_tag}", OtherHash, "conn-2", "front"));

        Assert.Equal(ClaimStatus.Claimed, first.Status);
        Assert.Equal((ClaimStatus.Taken, $"Ana{_tag}"), (second.Status, second.Nickname));
    }

    [Fact]
    public async Task A_retried_claim_with_the_same_token_gets_the_same_session()
    {
        var first = await ClaimAsync($"ana{_tag}", "conn-1");

        var retry = await ClaimAsync($"ana{_tag}", "conn-1");

        Assert.Equal((ClaimStatus.Claimed, first.SessionId), (retry.Status, retry.SessionId));
    }

    [Fact]
    public async Task A_claim_for_another_key_is_refused()
    {
        var result = await fixture.Grains.GetGrain<INicknameGrain>("SOMEONE").Claim(
            new ClaimRequest("else", _hash, "conn-1", "front"));

        Assert.Equal(ClaimStatus.InvalidNickname, result.Status);
    }

    [Fact]
    public async Task Rooms_per_user_are_limited()
    {
        var claim = await ClaimAsync($"ana{_tag}", "conn-1");
        var grain = Nickname($"ana{_tag}");

        var results = new List<JoinStatus>();
        for (var i = 0; i <= ChatClusterFixture.Limits.MaxRoomsPerUser; i++)
        {
            results.Add((await grain.JoinRoom(new SessionRoomRequest(claim.SessionId, $"r{i}-{_tag}"))).Status);
        }

        Assert.All(results[..^1], s => Assert.Equal(JoinStatus.Joined, s));
        Assert.Equal(JoinStatus.TooManyRooms, results[^1]);
        Assert.Equal(JoinStatus.Joined, (await grain.JoinRoom(new SessionRoomRequest(claim.SessionId, $"r0-{_tag}"))).Status);
    }

    [Fact]
    public async Task Members_per_room_are_limited()
    {
        var room = $"full-{_tag}";
        var statuses = new List<JoinStatus>();
        for (var i = 0; i <= ChatClusterFixture.Limits.MaxMembersPerRoom; i++)
        {
            var claim = await ClaimAsync($"u{i}{_tag}", $"conn-{i}");
            statuses.Add((await Nickname($"u{i}{_tag}").JoinRoom(new SessionRoomRequest(claim.SessionId, room))).Status);
        }

        Assert.All(statuses[..^1], s => Assert.Equal(JoinStatus.Joined, s));
        Assert.Equal(JoinStatus.RoomFull, statuses[^1]);
    }

    [Fact]
    public async Task Only_the_session_owner_can_join_rooms_for_the_nickname()
    {
        await ClaimAsync($"ana{_tag}", "conn-1");

        var result = await Nickname($"ana{_tag}").JoinRoom(new SessionRoomRequest(Guid.NewGuid(), $"r-{_tag}"));

        Assert.Equal(JoinStatus.NotOwner, result.Status);
    }

    [Fact]
    public async Task A_clean_disconnect_leaves_every_room_at_once_and_frees_the_nickname()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 2);
        var inboxes = await Task.WhenAll(rooms.Select(fixture.ListenAsync));

        await Nickname($"ana{_tag}").Disconnect(new DisconnectRequest(claim.SessionId, "conn-1", Clean: true));

        foreach (var inbox in inboxes)
        {
            // A memory stream may still deliver the join that was queued when the subscription arrived.
            Assert.Equal($"ana{_tag}", ((MemberLeft)await inbox.FirstAsync(e => e is MemberLeft)).Nickname);
        }

        Assert.Equal(ClaimStatus.Claimed, (await ClaimAsync($"ANA{_tag}", "conn-2")).Status);
    }

    [Fact]
    public async Task A_dropped_connection_leaves_only_when_the_grace_period_ends()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 1);
        var inbox = await fixture.ListenAsync(rooms[0]);
        var dropped = DateTime.UtcNow;

        await Nickname($"ana{_tag}").Disconnect(new DisconnectRequest(claim.SessionId, "conn-1", Clean: false));

        await inbox.FirstAsync(e => e is MemberLeft, Grace * 10);
        Assert.True(DateTime.UtcNow - dropped >= Grace * 0.9, "left before the grace period ended");
        Assert.Equal(ClaimStatus.Claimed, (await ClaimAsync($"ana{_tag}", "conn-2")).Status);
    }

    [Fact]
    public async Task Resuming_within_the_grace_period_keeps_nickname_and_rooms_without_notices()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 2);
        var inbox = await fixture.ListenAsync(rooms[0]);
        var grain = Nickname($"ana{_tag}");
        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-1", Clean: false));

        var resumed = await grain.Resume(new ResumeRequest(_hash, "conn-2", "front-2"));

        Assert.Equal($"ana{_tag}", resumed.Nickname);
        Assert.Equal(claim.SessionId, resumed.SessionId);
        Assert.Equal(rooms, resumed.Rooms);
        Assert.Equal(ClaimStatus.Taken, (await ClaimAsync($"ana{_tag}", "conn-3", OtherHash)).Status);
        // Absence of a leave can only be shown by waiting: three grace periods, bounded.
        await Assert.ThrowsAsync<TimeoutException>(() => inbox.FirstAsync(e => e is MemberLeft, Grace * 3));
        Assert.Contains($"ana{_tag}", (await fixture.Grains.GetGrain<IChatRoomGrain>(rooms[0]).GetSnapshot()).Members);
    }

    [Fact]
    public async Task A_wrong_token_does_not_resume()
    {
        var (claim, _) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 1);
        var grain = Nickname($"ana{_tag}");
        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-1", Clean: false));

        var resumed = await grain.Resume(new ResumeRequest(SHA256.HashData([1, 2, 3]), "conn-2", "front"));

        Assert.Null(resumed.Nickname);
    }

    [Fact]
    public async Task The_disconnect_of_a_replaced_connection_is_ignored()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 1);
        var grain = Nickname($"ana{_tag}");
        await grain.Resume(new ResumeRequest(_hash, "conn-2", "front"));

        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-1", Clean: true));

        Assert.Contains($"ana{_tag}", (await fixture.Grains.GetGrain<IChatRoomGrain>(rooms[0]).GetSnapshot()).Members);
        Assert.Equal(ClaimStatus.Taken, (await ClaimAsync($"ana{_tag}", "conn-3", OtherHash)).Status);
    }

    [Fact]
    public async Task A_front_loss_decided_before_the_connection_leaves_the_session_alone()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 1);
        var inbox = await fixture.ListenAsync(rooms[0]);

        // An eviction decided before this connection took the session (delivered late by a silo that had stalled):
        // with its grace counted from then, it would end the session of a connected user at once.
        var decided = DateTimeOffset.UtcNow - Grace * 9;
        await Nickname($"ana{_tag}").FrontLost(new FrontLost("front", decided - Grace, Clean: false, DecidedAt: decided));

        await Assert.ThrowsAsync<TimeoutException>(() => inbox.FirstAsync(e => e is MemberLeft, Grace * 2));
        Assert.Contains($"ana{_tag}", (await fixture.Grains.GetGrain<IChatRoomGrain>(rooms[0]).GetSnapshot()).Members);
        Assert.Equal(ClaimStatus.Taken, (await ClaimAsync($"ana{_tag}", "conn-2", OtherHash)).Status);
        Assert.Equal(claim.SessionId, (await Nickname($"ana{_tag}").Resume(new ResumeRequest(_hash, "conn-2", "front"))).SessionId);
    }

    private INicknameGrain Nickname(string nickname) =>
        fixture.Grains.GetGrain<INicknameGrain>(ChatRules.KeyOf(nickname));

    /// <summary>Someone else's token.</summary>
    private static byte[] OtherHash => SHA256.HashData([4, 5, 6]);

    private Task<ClaimResult> ClaimAsync(string nickname, string connection, byte[]? hash = null) =>
        Nickname(nickname).Claim(new ClaimRequest(nickname, hash ?? _hash, connection, "front"));

    private async Task<(ClaimResult Claim, List<string> Rooms)> ClaimInRoomsAsync(string nickname, string connection, int rooms)
    {
        var claim = await ClaimAsync(nickname, connection);
        var names = Enumerable.Range(0, rooms).Select(i => $"room{i}-{_tag}").ToList();
        foreach (var room in names)
        {
            Assert.Equal(JoinStatus.Joined, (await Nickname(nickname).JoinRoom(new SessionRoomRequest(claim.SessionId, room))).Status);
        }

        return (claim, names);
    }
}
