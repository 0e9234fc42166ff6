using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Grains.Rooms;

/// <summary>A room's sealed pages, one <see cref="IHistoryPageGrain"/> each.</summary>
public sealed class HistoryPageGrains(IGrainFactory grains, string room) : IHistoryPages
{
    public Task SealAsync(string epoch, long pageIndex, IReadOnlyList<MessagePosted> messages) =>
        Page(epoch, pageIndex).Seal(new HistoryPage(messages));

    public async Task<IReadOnlyList<MessagePosted>> GetAsync(string epoch, long pageIndex) =>
        (await Page(epoch, pageIndex).Get()).Messages;

    public Task ClearAsync(string epoch, long pageIndex) => Page(epoch, pageIndex).Clear();

    private IHistoryPageGrain Page(string epoch, long pageIndex) =>
        grains.GetGrain<IHistoryPageGrain>(HistoryPageKey.For(room, epoch, pageIndex));
}
