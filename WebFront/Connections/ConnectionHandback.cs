namespace OrleansChat.WebFront.Connections;

/// <summary>
/// A front asked to stop (a rolling update, a scale-down) hands its connections back instead of ending its users'
/// sessions: every connection is closed as a drop, so each session waits out the grace period while its client
/// reconnects, through the load balancer, to another front and resumes there. Nobody sees a leave or a join.
/// </summary>
public sealed partial class ConnectionHandback(
    IHostApplicationLifetime lifetime,
    ChatConnections connections,
    ILogger<ConnectionHandback> logger)
{
    /// <summary>
    /// Set the moment the stop is asked for, before anything is closed (SignalR itself closes its connections then):
    /// from here on, however a connection ends, it is a drop.
    /// </summary>
    public bool Stopping => lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>
    /// Drops every connection still open and waits, at most until <paramref name="cancellationToken"/>, for them to
    /// be gone, so their sessions are detached while this front can still reach the cluster.
    /// </summary>
    public async Task HandBackAsync(CancellationToken cancellationToken)
    {
        var dropped = connections.AbortAll();
        // A connection is gone once SignalR has finished with it; there is no event for "all gone", so look often.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (connections.Open.Count > 0 && await timer.WaitForNextTickAsync(cancellationToken))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }

        LogHandedBack(dropped, connections.Open.Count);
    }

    /// <summary>
    /// Refuses new hub connections once the front is stopping: a client that reconnects at once and lands here again
    /// (same address, same affinity) retries until it reaches a front that stays, instead of attaching its session
    /// to one that is about to close it a second time.
    /// </summary>
    public Func<HttpContext, RequestDelegate, Task> RefuseWhileStopping(PathString hubPath) => (context, next) =>
    {
        if (Stopping && context.Request.Path.StartsWithSegments(hubPath))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.Connection = "close";
            return Task.CompletedTask;
        }

        return next(context);
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: dropped {Dropped} connections so their clients resume on another front; {Left} still open")]
    private partial void LogHandedBack(int dropped, int left);
}
