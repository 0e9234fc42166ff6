using Orleans.Concurrency;

namespace OrleansChat.Grains.Interfaces.Rooms;

/// <summary>The list of rooms people can see and join, with how many members each has. One per cluster (key 0).</summary>
[Alias("OrleansChat.IRoomDirectoryGrain")]
public interface IRoomDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Called by a room when its member count changes. One-way: a room never waits on the directory.</summary>
    [Alias("Update"), OneWay]
    Task Update(RoomInfo room);

    [Alias("List")]
    Task<IReadOnlyList<RoomInfo>> List();
}
