using System.Diagnostics.CodeAnalysis;
using Orleans.Storage;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// A room's members, stored in pages of <see cref="PageSize"/> slots so that a join, a leave or a change of front
/// writes one page, whatever the room's size; opening a page also writes the root record, which counts the pages.
/// Loading reads the root and then every page once, in parallel, and rebuilds what the room asks of its members in
/// memory: each member by key with its slot, the keys in order for paging, and the free slots. Not thread-safe: the
/// room changes it one turn at a time, and the reads that interleave (posts) never await in between.
/// </summary>
/// <remarks>
/// A failed write leaves memory ahead of storage, as the single member record did: the room deactivates and the next
/// activation loads what storage has. Pages are never dropped, so loading reads as many as the room's largest size
/// needed (one read per 64 members at its peak).
/// </remarks>
public sealed class RoomMembership(IGrainStorage storage, string room)
{
    /// <summary>Slots per page: the most members one change rewrites.</summary>
    public const int PageSize = 64;

    /// <summary>
    /// The grain type in the ids of the root and page records. No grain has it: the room writes its records
    /// through the storage provider itself, which costs no call to another grain. The memory and Redis grain
    /// storages key a record by grain id and state name, so these records cannot meet any grain's own state.
    /// </summary>
    public const string RecordType = "chatroom-members";

    /// <summary>The room's own state that held the whole member list before pages.</summary>
    public const string LegacyStateName = "members";

    private const string RootStateName = "root";
    private const string PageStateName = "page";

    private readonly Dictionary<string, Seat> _seats = new(StringComparer.Ordinal);
    private readonly SortedKeys _order = new();
    private readonly List<Record<MemberPageState>> _pages = [];

    /// <summary>Free slots; after loading the lowest is on top, so a room refills its first pages before new ones.</summary>
    private readonly Stack<(int Page, int Slot)> _free = new();

    private readonly Record<MemberRootState> _root = new();

    public int Count => _seats.Count;

    /// <summary>Pages opened so far: each is one record to read when the room activates.</summary>
    public int Pages => _pages.Count;

    /// <summary>The record ids a room's members are stored under.</summary>
    public static GrainId RootId(string room) => GrainId.Create(RecordType, room);

    /// <inheritdoc cref="RootId"/>
    public static GrainId PageId(string room, int page) => GrainId.Create(RecordType, $"{page}/{room}");

    public bool TryGet(string key, [MaybeNullWhen(false)] out RoomMember member)
    {
        var found = _seats.TryGetValue(key, out var seat);
        member = seat.Member;
        return found;
    }

    /// <summary>
    /// Reads the members from storage. <paramref name="legacyRecord"/> is the room's own grain id, under which an
    /// older deployment kept every member in one record.
    /// </summary>
    public async Task LoadAsync(GrainId legacyRecord)
    {
        await storage.ReadStateAsync(RootStateName, RootId(room), _root);
        _pages.AddRange(await Task.WhenAll(Enumerable.Range(0, _root.State.Pages).Select(ReadPageAsync)));
        for (var page = _pages.Count - 1; page >= 0; page--)
        {
            var slots = _pages[page].State.Slots;
            for (var slot = slots.Length - 1; slot >= 0; slot--)
            {
                if (slots[slot] is { } member)
                {
                    TakeSeat(ChatRules.KeyOf(member.Nickname), member, page, slot);
                }
                else
                {
                    _free.Push((page, slot));
                }
            }
        }

        if (!_root.RecordExists)
        {
            await ImportAsync(legacyRecord);
        }
    }

    /// <summary>Seats a member whose key is not in the room.</summary>
    public async Task AddAsync(string key, RoomMember member)
    {
        var pages = _pages.Count;
        var page = Place(key, member);
        if (_pages.Count > pages)
        {
            // The root first: a page the root does not count would never be read back.
            await storage.WriteStateAsync(RootStateName, RootId(room), _root);
        }

        await WritePageAsync(page);
    }

    /// <summary>Replaces a member in its slot (a join from another front).</summary>
    public async Task UpdateAsync(string key, RoomMember member)
    {
        var seat = _seats[key] with { Member = member };
        _seats[key] = seat;
        _pages[seat.Page].State.Slots[seat.Slot] = member;
        await WritePageAsync(seat.Page);
    }

    public async Task RemoveAsync(string key)
    {
        if (!_seats.Remove(key, out var seat))
        {
            return;
        }

        _order.Remove(key);
        _pages[seat.Page].State.Slots[seat.Slot] = null;
        _free.Push((seat.Page, seat.Slot));
        await WritePageAsync(seat.Page);
    }

    /// <summary>
    /// Members whose key is ordinal-after <paramref name="afterKey"/> (from the first when null), at most
    /// <paramref name="limit"/>, in key order: a seek and a walk, whatever the room's size.
    /// </summary>
    public MemberPage After(string? afterKey, int limit)
    {
        var (keys, hasMore) = _order.After(afterKey, limit);
        return new MemberPage(Count, keys.ConvertAll(key => _seats[key].Member.Nickname), hasMore);
    }

    private async Task<Record<MemberPageState>> ReadPageAsync(int page)
    {
        var state = new Record<MemberPageState>();
        await storage.ReadStateAsync(PageStateName, PageId(room, page), state);
        if (state.State.Slots.Length == 0)
        {
            // Counted by the root but never written: the join that opened it failed. Its slots are all free.
            state.State.Slots = new RoomMember?[PageSize];
        }

        return state;
    }

    private Task WritePageAsync(int page) => storage.WriteStateAsync(PageStateName, PageId(room, page), _pages[page]);

    /// <summary>Takes the free slot on top, opening a page when there is none; returns the page.</summary>
    private int Place(string key, RoomMember member)
    {
        if (!_free.TryPop(out var free))
        {
            free = (_pages.Count, 0);
            _pages.Add(new Record<MemberPageState>
            {
                State = new MemberPageState { Slots = new RoomMember?[PageSize] },
            });
            _root.State.Pages = _pages.Count;
            for (var slot = PageSize - 1; slot > 0; slot--)
            {
                _free.Push((free.Page, slot));
            }
        }

        _pages[free.Page].State.Slots[free.Slot] = member;
        TakeSeat(key, member, free.Page, free.Slot);
        return free.Page;
    }

    private void TakeSeat(string key, RoomMember member, int page, int slot)
    {
        _seats[key] = new Seat(member, page, slot);
        _order.Add(key);
    }

    /// <summary>
    /// Moves the members of an older deployment's single record into pages, then clears it: a rolling upgrade on
    /// Redis keeps its rooms' members instead of dropping connections that are still open. It runs only while the
    /// room has no root, and the root is written before the record is cleared, so a stop in between costs nothing
    /// but a stale record that is never read again.
    /// </summary>
    private async Task ImportAsync(GrainId legacyRecord)
    {
        var legacy = new Record<RoomMembersState>();
        await storage.ReadStateAsync(LegacyStateName, legacyRecord, legacy);
        if (!legacy.RecordExists)
        {
            return;
        }

        var pages = new SortedSet<int>();
        foreach (var (key, member) in legacy.State.Members)
        {
            pages.Add(Place(key, member));
        }

        await storage.WriteStateAsync(RootStateName, RootId(room), _root);
        await Task.WhenAll(pages.Select(WritePageAsync));
        await storage.ClearStateAsync(LegacyStateName, legacyRecord, legacy);
    }

    /// <summary>Where a member sits: its page and the slot within it.</summary>
    private readonly record struct Seat(RoomMember Member, int Page, int Slot);

    /// <summary>A record as storage last saw it; its ETag makes a write from a stale activation fail.</summary>
    private sealed class Record<T> : IGrainState<T>
        where T : new()
    {
        private T _state = new();

        /// <summary>Never null: a storage that reads no state leaves the empty one.</summary>
        [AllowNull]
        public T State
        {
            get => _state;
            set => _state = value ?? new T();
        }

        public string? ETag { get; set; }

        public bool RecordExists { get; set; }
    }
}
