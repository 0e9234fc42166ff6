namespace OrleansChat.Grains.Interfaces.Rooms;

/// <summary>
/// A sealed, fixed-size page of a room's history. The room writes a page when it fills, so appending a message never
/// rewrites older history; an edit, delete or reaction rewrites only the page holding its message. Keyed by
/// <see cref="HistoryPageKey"/>.
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
