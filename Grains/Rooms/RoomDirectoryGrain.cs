using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Rooms;

/// <summary>The rooms that have members right now, kept current by the rooms themselves.</summary>
public sealed class RoomDirectoryGrain(
    [PersistentState("rooms", ChatStorage.Presence)] IPersistentState<Dictionary<string, int>> rooms)
    : Grain, IRoomDirectoryGrain
{
    public Task Update(RoomInfo room)
    {
        if (room.Members > 0)
        {
            rooms.State[room.Room] = room.Members;
        }
        else if (!rooms.State.Remove(room.Room))
        {
            return Task.CompletedTask;
        }

        return rooms.WriteStateAsync();
    }

    public Task<IReadOnlyList<RoomInfo>> List() => Task.FromResult<IReadOnlyList<RoomInfo>>(
        rooms.State.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new RoomInfo(r.Key, r.Value)).ToList());
}
