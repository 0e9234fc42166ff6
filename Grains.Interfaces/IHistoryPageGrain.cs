using OrleansChat.Grains.Events;

namespace OrleansChat.Grains;

/// <summary>
/// A sealed, fixed-size page of a room's history. The room writes a page once, when it fills, so appending a
/// message never rewrites older history. Keyed by <see cref="HistoryPageKey"/>.
/// </summary>
[Alias("OrleansChat.IHistoryPageGrain")]
public interface IHistoryPageGrain : IGrainWithStringKey
{
    [Alias("Seal")]
    Task Seal(HistoryPage page);

    [Alias("Get")]
    Task<HistoryPage> Get();

    [Alias("Clear")]
    Task Clear();
}

[GenerateSerializer, Immutable, Alias("OrleansChat.HistoryPage")]
public sealed record HistoryPage([property: Id(0)] IReadOnlyList<MessagePosted> Messages);

/// <summary>Names a room's page: the epoch is part of the key so pages of a lost history are never mixed in.</summary>
public static class HistoryPageKey
{
    public static string For(string room, string epoch, long pageIndex) => $"{epoch}/{pageIndex}/{room}";
}
