using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// Members are paged in nickname-key order (<see cref="ChatRules.KeyOf"/>, ordinal), by a cursor that is a nickname,
/// so a page boundary does not move when members come and go; counts travel with the snapshot and the events.
/// </summary>
[Collection(ChatClusterCollection.Name)]
public sealed class RoomMemberPagingTests(ChatClusterFixture fixture)
{
    private readonly string _room = "paging-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Dictionary<string, Guid> _sessions = [];

    private IChatRoomGrain Room => fixture.Grains.GetGrain<IChatRoomGrain>(_room);

    [Fact]
    public async Task Pages_follow_the_nickname_key_order_with_a_count_and_whether_more_follow()
    {
        // Raw ordinal order would put the capitalised names first; the key order ignores case.
        await JoinAsync("eva", "Dora", "bia", "Ana", "caio");

        var first = await Room.GetMembers(new MemberQuery(null, 2));
        var second = await Room.GetMembers(new MemberQuery(first.Members[^1], 2));
        var last = await Room.GetMembers(new MemberQuery(second.Members[^1], 2));

        Assert.Equal("5: Ana, bia …", Show(first));
        Assert.Equal("5: caio, Dora …", Show(second));
        Assert.Equal("5: eva", Show(last));
    }

    [Fact]
    public async Task The_cursor_is_any_nickname_in_any_case_not_only_a_member()
    {
        await JoinAsync("Ana", "bia", "caio");

        Assert.Equal("3: caio", Show(await Room.GetMembers(new MemberQuery("  BIA ", 10))));
        Assert.Equal("3: bia, caio", Show(await Room.GetMembers(new MemberQuery("b", 10))));
        Assert.Equal("3: ", Show(await Room.GetMembers(new MemberQuery("zed", 10))));
    }

    [Fact]
    public async Task A_page_holds_at_most_the_limit_and_a_limit_of_zero_only_tells_whether_there_are_members()
    {
        await JoinAsync("Ana", "bia", "caio");

        var exact = await Room.GetMembers(new MemberQuery(null, 3));
        var none = await Room.GetMembers(new MemberQuery(null, 0));
        var negative = await Room.GetMembers(new MemberQuery("bia", -1));

        Assert.Equal("3: Ana, bia, caio", Show(exact));
        Assert.Equal("3:  …", Show(none));
        Assert.Equal("3:  …", Show(negative));
    }

    [Fact]
    public async Task A_cursor_stays_valid_when_members_before_it_and_the_cursor_itself_leave()
    {
        await JoinAsync("Ana", "bia", "caio", "Dora", "eva");
        var first = await Room.GetMembers(new MemberQuery(null, 2));

        await LeaveAsync("Ana");
        await LeaveAsync("bia");
        var next = await Room.GetMembers(new MemberQuery(first.Members[^1], 2));

        Assert.Equal("5: Ana, bia …", Show(first));
        Assert.Equal("3: caio, Dora …", Show(next));
    }

    [Fact]
    public async Task A_join_returns_the_member_count_and_the_first_members_in_order()
    {
        await JoinAsync("caio", "bia");

        var joined = await Room.Join(new JoinRequest("Ana", Session("Ana"), "front"));
        var retry = await Room.Join(new JoinRequest("Ana", Session("Ana"), "front"));

        Assert.Equal("3: Ana, bia, caio", Show(joined.Room!));
        Assert.Equal("3: Ana, bia, caio", Show(retry.Room!));
        Assert.Equal("3: Ana, bia, caio", Show(await Room.GetSnapshot()));
    }

    [Fact]
    public async Task Joins_leaves_kicks_and_bans_publish_the_member_count_after_them()
    {
        var events = await fixture.ListenAsync(_room);

        await JoinAsync("Ana", "bia");
        await LeaveAsync("Ana");
        await JoinAsync("caio");
        await Room.Remove(new RemoveRequest("caio", Session("caio"), RemovalReason.Kicked));
        await Room.Ban(new ModerationRequest("bia", "admin"));

        var counts = (await events.TakeAsync(6)).Select(e => e switch
        {
            MemberJoined j => ("joined", j.Nickname, j.MemberCount),
            MemberLeft l => ("left", l.Nickname, l.MemberCount),
            MemberRemoved r => (r.Reason.ToString(), r.Nickname, r.MemberCount),
            _ => (e.GetType().Name, "", -1),
        });
        Assert.Equal(
            [("joined", "Ana", 1), ("joined", "bia", 2), ("left", "Ana", 1), ("joined", "caio", 2),
                ("Kicked", "caio", 1), ("Banned", "bia", 0)],
            counts);
    }

    [Fact]
    public async Task A_join_from_another_front_keeps_the_member_and_its_place()
    {
        await JoinAsync("Ana", "bia");

        var moved = await Room.Join(new JoinRequest("bia", Session("bia"), "other-front"));
        await LeaveAsync("Ana");

        Assert.Equal((JoinStatus.Joined, 2), (moved.Status, moved.Room!.MemberCount));
        Assert.Equal("1: bia", Show(await Room.GetSnapshot()));
    }

    private async Task JoinAsync(params string[] nicknames)
    {
        foreach (var nickname in nicknames)
        {
            var result = await Room.Join(new JoinRequest(nickname, Session(nickname), "front"));
            Assert.Equal(JoinStatus.Joined, result.Status);
        }
    }

    /// <summary>A page as "count: members", with " …" when more follow: one value to compare.</summary>
    private static string Show(MemberPage page) =>
        $"{page.Count}: {string.Join(", ", page.Members)}{(page.HasMore ? " …" : "")}";

    private static string Show(RoomSnapshot snapshot) => $"{snapshot.MemberCount}: {string.Join(", ", snapshot.Members)}";

    private Task LeaveAsync(string nickname) => Room.Leave(new LeaveRequest(nickname, Session(nickname)));

    private Guid Session(string nickname) =>
        _sessions.TryGetValue(nickname, out var id) ? id : _sessions[nickname] = Guid.NewGuid();
}
