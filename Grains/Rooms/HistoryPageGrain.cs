using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// A sealed page of history: written by its room when it fills and again for each batch of amendments to its messages,
/// read many times, cleared by retention.
/// </summary>
public sealed class HistoryPageGrain(
    [PersistentState("page", ChatStorage.History)] IPersistentState<HistoryPageState> page) : Grain, IHistoryPageGrain
{
    public async Task Seal(HistoryPage sealedPage)
    {
        page.State.Messages = [.. sealedPage.Messages];
        await page.WriteStateAsync();
        // The room keeps its recent pages in memory; an activation per sealed page would hold the whole history until
        // idle collection. A later read activates the page again from storage.
        DeactivateOnIdle();
    }

    public Task<HistoryPage> Get() => Task.FromResult(new HistoryPage(page.State.Messages));

    public async Task Clear()
    {
        await page.ClearStateAsync();
        DeactivateOnIdle();
    }
}

[GenerateSerializer, Alias("OrleansChat.HistoryPageState")]
public sealed class HistoryPageState
{
    [Id(0)]
    public List<MessagePosted> Messages { get; set; } = [];
}
