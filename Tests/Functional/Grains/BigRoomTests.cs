using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Rooms;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// Rooms of thousands: what a join costs in storage as the room grows, and a room coming back whole from storage.
/// </summary>
[Collection(MembershipClusterCollection.Name)]
public sealed class BigRoomTests(MembershipClusterFixture fixture)
{
    private readonly string _room = "big-" + Guid.NewGuid().ToString("N")[..8];

    private IChatRoomGrain Room => fixture.Grains.GetGrain<IChatRoomGrain>(_room);

    [Fact]
    public async Task A_join_writes_as_much_into_a_room_of_two_thousand_as_into_a_room_of_ten()
    {
        const int size = 2_000;
        var written = new List<StorageWrite[]>(size);
        for (var i = 0; i < size; i++)
        {
            var before = fixture.Presence.Writes.Count;
            await JoinAsync(Nick(i), Guid.NewGuid());
            written.Add([.. fixture.Presence.Writes.Skip(before).Where(IsThisRoom)]);
        }

        var bytes = written.Select(w => w.Sum(x => x.Bytes)).ToList();
        Assert.All(written, w => Assert.InRange(w.Length, 1, 2));
        Assert.All(written, w => Assert.InRange(w.Max(x => x.Members), 1, RoomMembership.PageSize));

        // 1,994 = 31 × 64 + 10: the join lands where the one into a room of ten did, in a page as full.
        const int samePlace = 31 * RoomMembership.PageSize + 10;
        Assert.InRange(bytes[samePlace], 1, bytes[10] + 8);
        Assert.InRange(bytes.Skip(size - RoomMembership.PageSize).Max(), 1, bytes.Take(RoomMembership.PageSize).Max() + 8);
    }

    [Fact]
    public async Task A_room_of_thousands_comes_back_whole_after_deactivation_and_reuses_a_freed_slot()
    {
        const int size = 3_000;
        var sessions = Enumerable.Range(0, size).Select(Nick).ToDictionary(n => n, _ => Guid.NewGuid());
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (member, _) => await JoinAsync(member.Key, member.Value));
        var expected = sessions.Keys.OrderBy(ChatRules.KeyOf, StringComparer.Ordinal).ToList();
        var rootReads = fixture.Presence.ReadsOf(RoomMembership.RootId(_room), "root");

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var snapshot = await Room.GetSnapshot();

        Assert.Equal(rootReads + 1, fixture.Presence.ReadsOf(RoomMembership.RootId(_room), "root"));
        Assert.Equal(size, snapshot.MemberCount);
        Assert.Equal(expected.Take(100), snapshot.Members);
        Assert.Equal(expected, await AllMembersAsync(limit: 500));

        var member = Nick(1234);
        var posted = await Room.Post(new PostRequest(Guid.NewGuid(), member, sessions[member], "still here"));
        Assert.Equal(PostStatus.Posted, posted.Status);
        Assert.Equal(JoinStatus.NicknameTaken,
            (await Room.Join(new JoinRequest(Nick(7), Guid.NewGuid(), "front"))).Status);

        var before = fixture.Presence.Writes.Count;
        await Room.Leave(new LeaveRequest(Nick(42), sessions[Nick(42)]));
        var freed = Assert.Single(fixture.Presence.Writes.Skip(before), IsThisRoom);
        before = fixture.Presence.Writes.Count;
        await JoinAsync("newcomer", Guid.NewGuid());
        var taken = Assert.Single(fixture.Presence.Writes.Skip(before), IsThisRoom);

        Assert.Equal(freed.GrainId, taken.GrainId);
        Assert.Equal(freed.Members + 1, taken.Members);
        var after = await Room.GetMembers(new MemberQuery(null, 0));
        Assert.Equal(size, after.Count);
    }

    [Fact]
    public async Task A_failed_member_write_makes_the_room_reload_what_storage_has()
    {
        await JoinAsync("ana", Guid.NewGuid());
        var page = RoomMembership.PageId(_room, 0);
        fixture.Presence.FailWrite = (_, id) => id == page;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => Room.Join(new JoinRequest("bia", Guid.NewGuid(), "front")));
        }
        finally
        {
            fixture.Presence.FailWrite = (_, _) => false;
        }

        // Had the room kept the unsaved member, bia's nickname would be taken.
        await JoinAsync("bia", Guid.NewGuid());
        var snapshot = await Room.GetSnapshot();
        Assert.Equal((2, "ana, bia"), (snapshot.MemberCount, string.Join(", ", snapshot.Members)));
    }

    [Fact]
    public async Task Members_in_the_single_record_of_an_older_deployment_are_there_after_the_upgrade()
    {
        var ana = Guid.NewGuid();
        var legacy = new RoomMembersState();
        legacy.Members[ChatRules.KeyOf("Ana")] = new RoomMember("Ana", ana, "front", DateTimeOffset.UtcNow);
        legacy.Members[ChatRules.KeyOf("bia")] = new RoomMember("bia", Guid.NewGuid(), "front", DateTimeOffset.UtcNow);
        await fixture.Presence.WriteStateAsync(
            RoomMembership.LegacyStateName, Room.GetGrainId(), new GrainState<RoomMembersState>(legacy));

        var snapshot = await Room.GetSnapshot();
        var posted = await Room.Post(new PostRequest(Guid.NewGuid(), "ana", ana, "still here"));

        Assert.Equal((2, "Ana, bia"), (snapshot.MemberCount, string.Join(", ", snapshot.Members)));
        Assert.Equal(PostStatus.Posted, posted.Status);
    }

    private async Task JoinAsync(string nickname, Guid session)
    {
        var result = await Room.Join(new JoinRequest(nickname, session, "front"));
        Assert.Equal(JoinStatus.Joined, result.Status);
    }

    private async Task<List<string>> AllMembersAsync(int limit)
    {
        var all = new List<string>();
        MemberPage page;
        do
        {
            page = await Room.GetMembers(new MemberQuery(all.Count > 0 ? all[^1] : null, limit));
            all.AddRange(page.Members);
        }
        while (page.HasMore);

        return all;
    }

    /// <summary>Member records of this room: its root and pages, or the single record of old.</summary>
    private bool IsThisRoom(StorageWrite write) =>
        write.GrainId.Key.ToString() is var key && (key == _room || key.EndsWith("/" + _room, StringComparison.Ordinal));

    /// <summary>Nicknames of one width, so that any two members take the same bytes in storage.</summary>
    private static string Nick(int i) => $"m{i:D5}";
}
