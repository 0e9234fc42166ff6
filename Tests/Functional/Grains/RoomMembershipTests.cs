using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Rooms;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>
/// The member pages on their own, over a dictionary storage: what a change writes, and what a fresh load rebuilds
/// from what was written.
/// </summary>
public sealed class RoomMembershipTests : IDisposable
{
    private const string Room = "lobby";
    private static readonly GrainId RoomGrain = GrainId.Create("chatroom", Room);

    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly RecordingGrainStorage _storage;

    public RoomMembershipTests()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        _storage = new RecordingGrainStorage(new DictionaryGrainStorage(serializer), serializer);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task A_join_or_leave_writes_one_page_and_opening_a_page_also_writes_the_root()
    {
        var members = await LoadAsync();

        await AddAsync(members, Enumerable.Range(0, RoomMembership.PageSize + 1).Select(Nick));
        var afterJoins = _storage.Writes;
        await members.RemoveAsync(ChatRules.KeyOf(Nick(3)));

        Assert.Equal(RoomMembership.PageSize + 1 + 2, afterJoins.Count);
        Assert.Equal(2, afterJoins.Count(w => w.GrainId == RoomMembership.RootId(Room)));
        Assert.Equal(RoomMembership.PageSize, afterJoins.Count(w => w.GrainId == RoomMembership.PageId(Room, 0)));
        Assert.Equal(1, afterJoins.Count(w => w.GrainId == RoomMembership.PageId(Room, 1)));
        Assert.All(afterJoins, w => Assert.InRange(w.Members, 0, RoomMembership.PageSize));
        var leave = Assert.Single(_storage.Writes.Skip(afterJoins.Count));
        Assert.Equal((RoomMembership.PageId(Room, 0), RoomMembership.PageSize - 1), (leave.GrainId, leave.Members));
    }

    [Fact]
    public async Task A_fresh_load_finds_every_member_its_front_and_the_order()
    {
        var members = await LoadAsync();
        await AddAsync(members, Enumerable.Range(0, 300).Select(Nick));
        await members.RemoveAsync(ChatRules.KeyOf(Nick(7)));
        var moved = Member(Nick(8)) with { FrontId = "other-front" };
        await members.UpdateAsync(ChatRules.KeyOf(Nick(8)), moved);

        var reloaded = await LoadAsync();

        Assert.Equal((299, members.Pages), (reloaded.Count, reloaded.Pages));
        Assert.False(reloaded.TryGet(ChatRules.KeyOf(Nick(7)), out _));
        Assert.True(reloaded.TryGet(ChatRules.KeyOf(Nick(8)), out var found));
        Assert.Equal(moved, found);
        Assert.Equal(members.After(null, 1000), reloaded.After(null, 1000), MemberPageComparer.Instance);
        Assert.Equal(
            Enumerable.Range(0, 300).Where(i => i != 7).Select(Nick).OrderBy(ChatRules.KeyOf, StringComparer.Ordinal),
            reloaded.After(null, 1000).Members);
    }

    [Fact]
    public async Task Freed_slots_are_taken_again_lowest_page_first_before_a_page_is_opened()
    {
        var members = await LoadAsync();
        await AddAsync(members, Enumerable.Range(0, 3 * RoomMembership.PageSize).Select(Nick));
        await members.RemoveAsync(ChatRules.KeyOf(Nick(RoomMembership.PageSize + 5)));
        await members.RemoveAsync(ChatRules.KeyOf(Nick(5)));
        var reloaded = await LoadAsync();
        var before = _storage.Writes.Count;

        await AddAsync(reloaded, ["late1", "late2"]);

        Assert.Equal(3, reloaded.Pages);
        Assert.Equal(
            [RoomMembership.PageId(Room, 0), RoomMembership.PageId(Room, 1)],
            _storage.Writes.Skip(before).Select(w => w.GrainId));
    }

    [Fact]
    public async Task Members_of_the_single_record_of_older_deployments_move_into_pages_once()
    {
        var storage = (IGrainStorage)_storage;
        var legacy = new RoomMembersState();
        foreach (var nickname in Enumerable.Range(0, 100).Select(Nick))
        {
            legacy.Members[ChatRules.KeyOf(nickname)] = Member(nickname);
        }

        await storage.WriteStateAsync(RoomMembership.LegacyStateName, RoomGrain, new GrainState<RoomMembersState>(legacy));

        var imported = await LoadAsync();
        var again = await LoadAsync();
        var legacyReads = _storage.ReadsOf(RoomGrain, RoomMembership.LegacyStateName);

        Assert.Equal((100, 2), (imported.Count, imported.Pages));
        Assert.Equal((100, 2), (again.Count, again.Pages));
        Assert.Equal(imported.After(null, 1000), again.After(null, 1000), MemberPageComparer.Instance);
        var read = new GrainState<RoomMembersState>(new RoomMembersState());
        await storage.ReadStateAsync(RoomMembership.LegacyStateName, RoomGrain, read);
        Assert.False(read.RecordExists);
        Assert.Equal(1, legacyReads);
    }

    [Fact]
    public async Task A_page_whose_opening_write_failed_loads_empty_and_is_used_again()
    {
        var members = await LoadAsync();
        await AddAsync(members, Enumerable.Range(0, RoomMembership.PageSize).Select(Nick));
        _storage.FailWrite = (_, id) => id == RoomMembership.PageId(Room, 1);

        await Assert.ThrowsAsync<StorageFailure>(() => members.AddAsync(ChatRules.KeyOf("lost"), Member("lost")));
        _storage.FailWrite = (_, _) => false;
        var reloaded = await LoadAsync();
        await AddAsync(reloaded, ["kept"]);

        Assert.Equal((RoomMembership.PageSize + 1, 2), (reloaded.Count, reloaded.Pages));
        Assert.False(reloaded.TryGet(ChatRules.KeyOf("lost"), out _));
        Assert.Equal(RoomMembership.PageId(Room, 1), _storage.Writes[^1].GrainId);
    }

    private async Task<RoomMembership> LoadAsync()
    {
        var members = new RoomMembership(_storage, Room);
        await members.LoadAsync(RoomGrain);
        return members;
    }

    private static async Task AddAsync(RoomMembership members, IEnumerable<string> nicknames)
    {
        foreach (var nickname in nicknames)
        {
            await members.AddAsync(ChatRules.KeyOf(nickname), Member(nickname));
        }
    }

    private static string Nick(int i) => $"member{i:D4}";

    private static RoomMember Member(string nickname) =>
        new(nickname, Guid.NewGuid(), "front", DateTimeOffset.UnixEpoch);

    /// <summary>Pages compare by value; their member lists are lists, which records compare by reference.</summary>
    private sealed class MemberPageComparer : IEqualityComparer<MemberPage>
    {
        public static readonly MemberPageComparer Instance = new();

        public bool Equals(MemberPage? x, MemberPage? y) =>
            (x?.Count, x?.HasMore) == (y?.Count, y?.HasMore) && (x?.Members ?? []).SequenceEqual(y?.Members ?? []);

        public int GetHashCode(MemberPage page) => page.Count;
    }
}
