using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Unit.Grains;

/// <summary>Sealed pages in a dictionary, noting which the log sealed, read back and cleared.</summary>
internal sealed class MemoryHistoryPages : IHistoryPages
{
    private readonly Dictionary<(string Epoch, long Index), IReadOnlyList<MessagePosted>> _pages = [];

    public List<long> Sealed { get; } = [];

    public List<long> Read { get; } = [];

    public List<long> Cleared { get; } = [];

    public bool Holds(string epoch, long pageIndex) => _pages.ContainsKey((epoch, pageIndex));

    public Task SealAsync(string epoch, long pageIndex, IReadOnlyList<MessagePosted> messages)
    {
        _pages[(epoch, pageIndex)] = [.. messages];
        Sealed.Add(pageIndex);
        return Task.CompletedTask;
    }

    /// <summary>A page that was never sealed, or was cleared, reads as empty, as the page grain's does.</summary>
    public Task<IReadOnlyList<MessagePosted>> GetAsync(string epoch, long pageIndex)
    {
        Read.Add(pageIndex);
        return Task.FromResult(_pages.GetValueOrDefault((epoch, pageIndex), []));
    }

    public Task ClearAsync(string epoch, long pageIndex)
    {
        _pages.Remove((epoch, pageIndex));
        Cleared.Add(pageIndex);
        return Task.CompletedTask;
    }
}
