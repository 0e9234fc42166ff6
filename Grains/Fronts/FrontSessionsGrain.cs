using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Sessions;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Fronts;

/// <summary>
/// The nickname sessions held by one front, so a front's death can be turned into their departures; and the front's
/// ear, so a session resumed elsewhere can have its old connection closed.
/// </summary>
public sealed class FrontSessionsGrain(
    [PersistentState("sessions", ChatStorage.Presence)] IPersistentState<HashSet<string>> sessions)
    : Grain, IFrontSessionsGrain
{
    private IFrontConnections? _front;

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

    public Task Listen(IFrontConnections front)
    {
        _front = front;
        return Task.CompletedTask;
    }

    public Task TakenOver(SessionTakenOver takeover) => _front?.TakenOver(takeover) ?? Task.CompletedTask;
}
