using OrleansChat.Grains.Events;

namespace OrleansChat.Grains;

/// <summary>A sealed page of history: written once by its room, read many times, cleared by retention.</summary>
public sealed class HistoryPageGrain(
    [PersistentState("page", ChatStorage.History)] IPersistentState<HistoryPageState> page) : Grain, IHistoryPageGrain
{
    public Task Seal(HistoryPage sealedPage)
    {
        page.State.Messages = [.. sealedPage.Messages];
        return page.WriteStateAsync();
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
