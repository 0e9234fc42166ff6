using System.Security.Cryptography;
using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// Grace periods and front leases against a fake clock, to the millisecond. A grain timer's tick is queued on its
/// grain while the clock is advanced, so a call made afterwards runs after the tick: no waiting is needed.
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
public sealed class FakeClockTests(FakeClockClusterFixture fixture)
{
    private static readonly TimeSpan Grace = FakeClockClusterFixture.Grace;
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    /// <summary>How often the front directory looks for expired leases (FrontDirectoryGrain.CheckPeriod).</summary>
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(5);

    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private readonly byte[] _hash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));
    private readonly byte[] _otherHash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));

    private IFrontDirectoryGrain Directory => fixture.Grains.GetGrain<IFrontDirectoryGrain>(0);

    [Fact]
    public async Task A_dropped_session_resumes_until_its_grace_period_ends_and_not_after()
    {
        var (session, room) = await ClaimInRoomAsync("ana", $"front-{_tag}");
        var ana = Nickname("ana");

        await ana.Disconnect(new DisconnectRequest(session, "conn-1", Clean: false));
        fixture.Clock.Advance(Grace - Millisecond);
        var resumed = await ana.Resume(new ResumeRequest(_hash, "conn-2", $"front-{_tag}"));

        Assert.Equal(session, resumed.SessionId);
        await ana.Disconnect(new DisconnectRequest(session, "conn-2", Clean: false));
        fixture.Clock.Advance(Grace - Millisecond);
        Assert.Equal(ClaimStatus.Taken, (await ClaimAsync("ana", _otherHash, "conn-3", "elsewhere")).Status);
        Assert.Contains(Nick("ana"), (await room.GetSnapshot()).Members);

        fixture.Clock.Advance(Millisecond);

        Assert.Null((await ana.Resume(new ResumeRequest(_hash, "conn-4", $"front-{_tag}"))).Nickname);
        Assert.DoesNotContain(Nick("ana"), (await room.GetSnapshot()).Members);
        Assert.Equal(ClaimStatus.Claimed, (await ClaimAsync("ana", _otherHash, "conn-3", "elsewhere")).Status);
    }

    [Fact]
    public async Task A_front_lease_holds_for_its_duration_and_its_sessions_get_the_grace_left_from_its_last_renewal()
    {
        var front = $"front-{_tag}";
        await CheckAsync();
        var generation = await Directory.Renew(new FrontLease(front, Lease));
        var (_, room) = await ClaimInRoomAsync("bia", front);

        // Renewed at t0: the check at exactly t0 + lease still finds it held, so the front keeps its generation.
        for (var elapsed = TimeSpan.Zero; elapsed < Lease; elapsed += CheckPeriod)
        {
            await CheckAsync();
        }

        Assert.Equal(generation, await Directory.Renew(new FrontLease(front, Lease)));

        // Renewed at t1 and silent since: the first check after t1 + lease evicts it.
        for (var elapsed = TimeSpan.Zero; elapsed <= Lease; elapsed += CheckPeriod)
        {
            await CheckAsync();
        }

        var renewedAt = fixture.Clock.GetUtcNow() - Lease - CheckPeriod;
        Assert.Equal(ClaimStatus.Taken, (await ClaimAsync("bia", _otherHash, "conn-2", "elsewhere")).Status);
        fixture.Clock.Advance(renewedAt + Grace - Millisecond - fixture.Clock.GetUtcNow());
        Assert.Contains(Nick("bia"), (await room.GetSnapshot()).Members);
        fixture.Clock.Advance(Millisecond);
        // The nickname first: the call queues behind the grace timer's tick, which has left the room when it ends.
        Assert.Equal(ClaimStatus.Claimed, (await ClaimAsync("bia", _otherHash, "conn-2", "elsewhere")).Status);
        Assert.DoesNotContain(Nick("bia"), (await room.GetSnapshot()).Members);
        Assert.NotEqual(generation, await Directory.Renew(new FrontLease(front, Lease)));
    }

    /// <summary>
    /// Moves the clock one check period and waits for that check: a call to the directory queues behind the tick,
    /// which awaits every eviction it starts. A front renewing for an hour makes the call.
    /// </summary>
    private async Task CheckAsync()
    {
        fixture.Clock.Advance(CheckPeriod);
        await Directory.Renew(new FrontLease($"barrier-{_tag}", TimeSpan.FromHours(1)));
    }

    private string Nick(string name) => $"{name}{_tag}";

    private INicknameGrain Nickname(string name) => fixture.Grains.GetGrain<INicknameGrain>(ChatRules.KeyOf(Nick(name)));

    private Task<ClaimResult> ClaimAsync(string name, byte[] hash, string connection, string front) =>
        Nickname(name).Claim(new ClaimRequest(Nick(name), hash, connection, front));

    private async Task<(Guid Session, IChatRoomGrain Room)> ClaimInRoomAsync(string name, string front)
    {
        var claim = await ClaimAsync(name, _hash, "conn-1", front);
        var room = $"room-{_tag}";
        Assert.Equal(JoinStatus.Joined, (await Nickname(name).JoinRoom(new SessionRoomRequest(claim.SessionId, room))).Status);
        return (claim.SessionId, fixture.Grains.GetGrain<IChatRoomGrain>(room));
    }
}
