using Microsoft.Extensions.Options;
using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Cluster;

/// <summary>
/// Keeps this front's lease alive in the cluster while it runs. On shutdown it hands its connections back (see
/// <see cref="ConnectionHandback"/>) and then retires the lease, which gives any session still attached here the
/// grace period too: its users resume on another front and nobody sees them leave. A front that dies simply stops
/// renewing; the cluster then detaches its users.
/// </summary>
public sealed partial class FrontLeaseService(
    IGrainFactory grains,
    FrontIdentity front,
    ChatConnections connections,
    ConnectionHandback handback,
    IOptions<ChatFrontOptions> options,
    ILogger<FrontLeaseService> logger) : BackgroundService
{
    private IFrontDirectoryGrain Directory => grains.GetGrain<IFrontDirectoryGrain>(0);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await handback.HandBackAsync(cancellationToken);
        try
        {
            await Directory.Retire(front.Id).WaitAsync(cancellationToken);
            LogRetired(front.Id);
        }
        catch (Exception ex)
        {
            LogRetireFailed(ex, front.Id);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lease = new FrontLease(front.Id, options.Value.LeaseDuration);
        using var timer = new PeriodicTimer(options.Value.LeaseRenewInterval);
        Guid? generation = null;
        do
        {
            try
            {
                var renewed = await Directory.Renew(lease);
                if (generation is { } held && held != renewed)
                {
                    // The directory took this front for dead while it lived: its renewals were cut off (a silo on
                    // their path stalled, say) and its sessions were evicted. Its users' connections are fine, but
                    // their sessions are detached or ended: closing the connections makes their clients take them
                    // back or register again, with nothing missed (protocol §9).
                    LogEvicted(front.Id, connections.AbortAll());
                }

                generation = renewed;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRenewFailed(ex, front.Id);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Front {FrontId} retired: its users' sessions wait for them to resume on another front")]
    private partial void LogRetired(string frontId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Front {FrontId} could not retire; its users leave when its lease expires")]
    private partial void LogRetireFailed(Exception exception, string frontId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Front {FrontId} was taken for dead by the cluster while it lived; closed its {Connections} connections so their clients take their sessions back")]
    private partial void LogEvicted(string frontId, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Front {FrontId} could not renew its lease")]
    private partial void LogRenewFailed(Exception exception, string frontId);
}
