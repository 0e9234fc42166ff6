using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// How the hub calls grains (and the relay, which calls grains). Grains answer bad requests with a status, never an
/// exception, so an exception is the infrastructure (a silo died, a call timed out): the call is tried again, and if
/// that fails too it becomes a clear error for the caller instead of SignalR's generic one; the details go to the
/// log. Every call the hub makes is idempotent (posts carry their message id, claims their token), so a call lost
/// with a dying silo is simply made again once the cluster has moved on.
/// </summary>
public sealed partial class GrainCalls(IOptions<ChatFrontOptions> options, TimeProvider time, ILogger<GrainCalls> logger)
{
    private const int MaxAttempts = 3;

    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(250);

    public Task CallAsync(HubCallerContext caller, Func<Task> call) => CallAsync(caller, async () =>
    {
        await call();
        return true;
    });

    public async Task<T> CallAsync<T>(HubCallerContext caller, Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(options.Value.GrainCallAttemptTimeout, time);
            }
            catch (Exception ex) when (ex is not HubException && attempt < MaxAttempts && !caller.ConnectionAborted.IsCancellationRequested)
            {
                LogRetried(ex, caller.ConnectionId, attempt);
                await Task.Delay(RetryBackoff * attempt, time);
            }
            catch (Exception ex) when (ex is not HubException)
            {
                LogFailed(ex, caller.ConnectionId);
                throw new HubException(ChatErrors.Unavailable);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A grain call for connection {ConnectionId} failed (attempt {Attempt}); retrying")]
    private partial void LogRetried(Exception exception, string connectionId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "A grain call for connection {ConnectionId} failed")]
    private partial void LogFailed(Exception exception, string connectionId);
}
