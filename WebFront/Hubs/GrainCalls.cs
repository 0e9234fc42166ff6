using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Cluster;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// How the hub calls grains (and the relay, which calls grains). Grains answer bad requests with a status, never an
/// exception, so an exception is the infrastructure (a silo died, a call timed out): the call is tried again until
/// <see cref="ChatFrontOptions.GrainCallRetryBudget"/> is spent, and only then becomes a clear error for the caller
/// instead of SignalR's generic one; the details go to the log. Every call the hub makes is idempotent (posts carry
/// their message id, claims their token, and the caller builds the request once, outside the retried delegate), so a
/// call lost with a dying silo is simply made again once the cluster has moved on.
/// </summary>
public sealed partial class GrainCalls(
    IOptions<ChatFrontOptions> options, TimeProvider time, GatewayChangeSignal cluster, ILogger<GrainCalls> logger)
{
    /// <summary>
    /// The first pause is short because a call that failed fast (connection refused by a killed silo) is often fine
    /// on the next try, once the directory has moved on; it doubles so a dead cluster is not hammered.
    /// </summary>
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The longest pause between attempts. Once the cluster has recovered a waiting caller notices within this, so
    /// it adds at most this much to the pause users see after a silo failure.
    /// </summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(400);

    public Task CallAsync(HubCallerContext caller, Func<Task> call) => CallAsync(caller, async () =>
    {
        await call();
        return true;
    });

    public Task<T> CallAsync<T>(HubCallerContext caller, Func<Task<T>> call) =>
        CallAsync(caller.ConnectionId, caller.ConnectionAborted, call);

    /// <summary>
    /// For a connection that has closed: retried as long as a live caller's call would be, where a live caller's stops
    /// with its connection. What a close tells the grains (that the user's connection went) must not be lost to a
    /// silo failing at that moment, or the session would count the connection for good.
    /// </summary>
    public Task ForClosedConnectionAsync(string connectionId, Func<Task> call) => CallAsync(connectionId, CancellationToken.None, async () =>
    {
        await call();
        return true;
    });

    private async Task<T> CallAsync<T>(string connectionId, CancellationToken callerGone, Func<Task<T>> call)
    {
        var settings = options.Value;
        var start = time.GetTimestamp();
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(settings.GrainCallAttemptTimeout, time);
            }
            catch (Exception ex) when (ex is not HubException
                && time.GetElapsedTime(start) + backoff < settings.GrainCallRetryBudget
                && !callerGone.IsCancellationRequested)
            {
                LogRetried(ex, connectionId, attempt);
                cluster.NotifyGrainCallFailed();
                await Task.Delay(backoff, time);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (Exception ex) when (ex is not HubException)
            {
                LogFailed(ex, connectionId, attempt);
                throw new HubException(ChatErrors.Unavailable);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A grain call for connection {ConnectionId} failed (attempt {Attempt}); retrying")]
    private partial void LogRetried(Exception exception, string connectionId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "A grain call for connection {ConnectionId} failed after {Attempts} attempts")]
    private partial void LogFailed(Exception exception, string connectionId, int attempts);
}
