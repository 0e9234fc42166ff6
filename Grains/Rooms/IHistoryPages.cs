using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// Where a room keeps its sealed history pages, each named by the history's epoch and the page's index. The room
/// stores them in <see cref="HistoryPageGrains"/>; the log depends only on this, so it can be tested in memory.
/// </summary>
public interface IHistoryPages
{
    Task SealAsync(string epoch, long pageIndex, IReadOnlyList<MessagePosted> messages);

    Task<IReadOnlyList<MessagePosted>> GetAsync(string epoch, long pageIndex);

    Task ClearAsync(string epoch, long pageIndex);
}
