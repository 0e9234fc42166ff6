using Microsoft.Extensions.Logging;
using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Fronts;

/// <summary>Keeps the fronts' leases and evicts the sessions of fronts that stop renewing.</summary>
public sealed partial class FrontDirectoryGrain(
    [PersistentState("fronts", ChatStorage.Presence)] IPersistentState<FrontDirectoryState> fronts,
    TimeProvider time,
    ILogger<FrontDirectoryGrain> logger) : Grain, IFrontDirectoryGrain
{
    /// <summary>How often expired leases are looked for: a fraction of the shortest sensible lease.</summary>
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(1);

    private DateTimeOffset _lastCheck;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // While this grain was down (its silo died or stalled), fronts could not renew: their stored renewal times
        // say nothing about whether they are alive. Every lease restarts now, so only a front that stays silent for
        // a whole lease from here on is taken for dead.
        RestartLeases();
        this.RegisterGrainTimer(EvictExpiredAsync, new GrainTimerCreationOptions
        {
            DueTime = CheckPeriod,
            Period = CheckPeriod,
            // Expiry must be noticed while no front calls: a dead front never will.
            KeepAlive = true,
        });
        return Task.CompletedTask;
    }

    public async Task<Guid> Renew(FrontLease lease)
    {
        var now = time.GetUtcNow();
        var held = fronts.State.Fronts.GetValueOrDefault(lease.FrontId);
        var record = held is null
            ? new FrontLeaseRecord(now, lease.Duration, Guid.NewGuid())
            : held with { RenewedAt = now, Duration = lease.Duration };
        if (held is null)
        {
            LogFrontJoined(lease.FrontId, lease.Duration);
        }

        fronts.State.Fronts[lease.FrontId] = record;
        await fronts.WriteStateAsync();
        return record.Generation;
    }

    public async Task Retire(string frontId)
    {
        if (fronts.State.Fronts.Remove(frontId))
        {
            await fronts.WriteStateAsync();
        }

        LogFrontRetired(frontId);
        var now = time.GetUtcNow();
        // A front retires when it is stopped, usually by a rolling update: its users did not leave, they are on their
        // way to another front. Sessions it did not detach itself get the grace period from now, not an end.
        await Sessions(frontId).Evict(new FrontLost(frontId, now, Clean: false, DecidedAt: now));
    }

    private async Task EvictExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastCheck > CheckPeriod * 3)
        {
            // This grain itself stood still (its silo was paused or starved): the fronts' renewals could not reach
            // it, so their silence proves nothing. Evicting now would end every session of a healthy cluster.
            LogStalled(now - _lastCheck);
            RestartLeases();
            return;
        }

        _lastCheck = now;
        var expired = fronts.State.Fronts.Where(f => f.Value.RenewedAt + f.Value.Duration < now).ToList();
        if (expired.Count == 0)
        {
            return;
        }

        foreach (var (frontId, lease) in expired)
        {
            LogFrontExpired(frontId, lease.RenewedAt);
            fronts.State.Fronts.Remove(frontId);
        }

        await fronts.WriteStateAsync(cancellationToken);
        await Task.WhenAll(expired.Select(f => Sessions(f.Key).Evict(new FrontLost(f.Key, f.Value.RenewedAt, Clean: false, DecidedAt: now))));
    }

    /// <summary>Counts every lease from now: used when this grain cannot know what it missed.</summary>
    private void RestartLeases()
    {
        _lastCheck = time.GetUtcNow();
        foreach (var (frontId, lease) in fronts.State.Fronts.ToList())
        {
            fronts.State.Fronts[frontId] = lease with { RenewedAt = _lastCheck };
        }
    }

    private IFrontSessionsGrain Sessions(string frontId) => GrainFactory.GetGrain<IFrontSessionsGrain>(frontId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Front {FrontId} holds a lease of {Duration}")]
    private partial void LogFrontJoined(string frontId, TimeSpan duration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The front directory stood still for {Gap}; restarting every lease instead of evicting")]
    private partial void LogStalled(TimeSpan gap);

    [LoggerMessage(Level = LogLevel.Information, Message = "Front {FrontId} retired")]
    private partial void LogFrontRetired(string frontId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Front {FrontId} stopped renewing its lease (last at {RenewedAt}); evicting its sessions")]
    private partial void LogFrontExpired(string frontId, DateTimeOffset renewedAt);
}
