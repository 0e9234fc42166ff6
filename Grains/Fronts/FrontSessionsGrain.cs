using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Fronts;

/// <summary>
/// The nickname sessions with a connection on one front, so a front's death can be turned into their departures.
/// </summary>
public sealed class FrontSessionsGrain(
    [PersistentState("sessions", ChatStorage.Presence)] IPersistentState<HashSet<string>> sessions)
    : Grain, IFrontSessionsGrain
{
    public Task Add(string nicknameKey) =>
        sessions.State.Add(nicknameKey) ? sessions.WriteStateAsync() : Task.CompletedTask;

    public Task Remove(string nicknameKey) =>
        sessions.State.Remove(nicknameKey) ? sessions.WriteStateAsync() : Task.CompletedTask;

    public async Task Evict(FrontLost lost)
    {
        var keys = sessions.State.ToList();
        await Task.WhenAll(keys.Select(key => GrainFactory.GetGrain<INicknameGrain>(key).FrontLost(lost)));
        await sessions.ClearStateAsync();
        sessions.State = [];
        DeactivateOnIdle();
    }
}
