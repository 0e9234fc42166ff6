using System.Security.Cryptography;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Sessions;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// Nickname ownership across rooms, room and connection limits, several connections of one user, and the grace period
/// of a dropped connection.
/// </summary>
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
    public async Task The_user_leaves_only_when_the_last_of_several_connections_goes()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 1);
        var grain = Nickname($"ana{_tag}");
        var inbox = await fixture.ListenAsync(rooms[0]);
        Assert.Equal(ResumeStatus.Resumed, (await grain.Resume(new ResumeRequest(_hash, "conn-2", "front"))).Status);
        Assert.Equal(ResumeStatus.Resumed, (await grain.Resume(new ResumeRequest(_hash, "conn-3", "front-2"))).Status);

        // A goodbye, a closed page and a drop, each of one connection among others: the user is still here.
        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-1", Clean: true));
        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-2", Clean: false, PageClosed: true));
        await Assert.ThrowsAsync<TimeoutException>(() => inbox.FirstAsync(e => e is MemberLeft, Grace * 2));
        Assert.Contains($"ana{_tag}", (await fixture.Grains.GetGrain<IChatRoomGrain>(rooms[0]).GetSnapshot()).Members);
        Assert.Equal(ClaimStatus.Taken, (await ClaimAsync($"ana{_tag}", "conn-4", OtherHash)).Status);

        // The last one dropping starts the grace period, which ends in the leave.
        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-3", Clean: false));
        Assert.Equal($"ana{_tag}", Assert.IsType<MemberLeft>(await inbox.FirstAsync(e => e is MemberLeft, Grace * 10)).Nickname);
        Assert.Equal(ResumeStatus.Expired, (await grain.Resume(new ResumeRequest(_hash, "conn-5", "front"))).Status);
    }

    [Fact]
    public async Task Connections_per_user_are_limited_and_a_retry_of_one_already_in_is_not_another()
    {
        var claim = await ClaimAsync($"ana{_tag}", "conn-0");
        var grain = Nickname($"ana{_tag}");
        for (var i = 1; i < ChatClusterFixture.Limits.MaxConnectionsPerUser; i++)
        {
            Assert.Equal(ResumeStatus.Resumed, (await grain.Resume(new ResumeRequest(_hash, $"conn-{i}", "front"))).Status);
        }

        var refused = await grain.Resume(new ResumeRequest(_hash, "conn-more", "front"));
        var retried = await grain.Resume(new ResumeRequest(_hash, "conn-1", "front"));
        var signedIn = await grain.Claim(new ClaimRequest($"ana{_tag}", OtherHash, "conn-more", "front", AccountProven: true));

        Assert.Equal((ResumeStatus.TooManyConnections, null), (refused.Status, refused.Nickname));
        Assert.Equal((ResumeStatus.Resumed, claim.SessionId), (retried.Status, retried.SessionId));
        Assert.Equal(ClaimStatus.TooManyConnections, signedIn.Status);
        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-0", Clean: true));
        Assert.Equal(ResumeStatus.Resumed, (await grain.Resume(new ResumeRequest(_hash, "conn-more", "front"))).Status);
    }

    [Fact]
    public async Task A_signed_in_account_joins_its_open_session_with_a_token_of_its_own()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 2);
        var grain = Nickname($"ana{_tag}");

        var device = await grain.Claim(new ClaimRequest($"ana{_tag}", OtherHash, "conn-2", "front", AccountProven: true));

        Assert.Equal((ClaimStatus.Claimed, claim.SessionId), (device.Status, device.SessionId));
        Assert.Equal(rooms, device.Rooms);
        Assert.Equal(2, device.Revision);
        // Either device's token resumes the one session; nobody else's does.
        Assert.Equal(claim.SessionId, (await grain.Resume(new ResumeRequest(OtherHash, "conn-3", "front"))).SessionId);
        await grain.Disconnect(new DisconnectRequest(claim.SessionId, "conn-1", Clean: true));
        Assert.Equal(claim.SessionId, (await grain.Resume(new ResumeRequest(_hash, "conn-4", "front"))).SessionId);
        Assert.Equal(ResumeStatus.Expired, (await grain.Resume(new ResumeRequest(SHA256.HashData([9]), "conn-5", "front"))).Status);
    }

    [Fact]
    public async Task Joins_and_leaves_are_told_on_the_users_stream_with_the_rooms_after_them()
    {
        var claim = await ClaimAsync($"ana{_tag}", "conn-1");
        var grain = Nickname($"ana{_tag}");
        var user = await fixture.Cluster.Client.ListenToUserAsync(ChatRules.KeyOf($"ana{_tag}"));

        await grain.JoinRoom(new SessionRoomRequest(claim.SessionId, $"a-{_tag}", "conn-1"));
        await grain.JoinRoom(new SessionRoomRequest(claim.SessionId, $"b-{_tag}", "conn-2"));
        await grain.JoinRoom(new SessionRoomRequest(claim.SessionId, $"a-{_tag}", "conn-2"));
        await grain.LeaveRoom(new SessionRoomRequest(claim.SessionId, $"a-{_tag}", "conn-1"));

        var changes = new List<SessionRoomsChanged>();
        for (var i = 0; i < 3; i++)
        {
            changes.Add(Assert.IsType<SessionRoomsChanged>(await user.NextAsync()));
        }

        Assert.Equal(
            [($"a-{_tag}", true, "conn-1", 1L), ($"b-{_tag}", true, "conn-2", 2L), ($"a-{_tag}", false, "conn-1", 3L)],
            changes.Select(c => (c.Room, c.Joined, c.ByConnection, c.Revision)));
        Assert.Equal([$"b-{_tag}"], changes[^1].Rooms);
        await Assert.ThrowsAsync<TimeoutException>(() => user.NextAsync(Grace));
    }

    [Fact]
    public async Task A_lost_front_takes_only_its_own_connections_with_it()
    {
        var (claim, rooms) = await ClaimInRoomsAsync($"ana{_tag}", "conn-1", 1);
        var grain = Nickname($"ana{_tag}");
        var inbox = await fixture.ListenAsync(rooms[0]);
        await grain.Resume(new ResumeRequest(_hash, "conn-2", "front-2"));

        await grain.FrontLost(new FrontLost("front", DateTimeOffset.UtcNow, Clean: false, DecidedAt: DateTimeOffset.UtcNow));
        await Assert.ThrowsAsync<TimeoutException>(() => inbox.FirstAsync(e => e is MemberLeft, Grace * 2));

        await grain.FrontLost(new FrontLost("front-2", DateTimeOffset.UtcNow, Clean: false, DecidedAt: DateTimeOffset.UtcNow));
        Assert.Equal($"ana{_tag}", Assert.IsType<MemberLeft>(await inbox.FirstAsync(e => e is MemberLeft, Grace * 10)).Nickname);
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
