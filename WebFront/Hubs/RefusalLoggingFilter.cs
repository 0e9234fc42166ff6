using Microsoft.AspNetCore.SignalR;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// Logs each failed hub call once, at the level it deserves. A <see cref="HubException"/> is the hub answering as
/// the protocol says (a taken nickname, an expired session, a rate limit): one line below Error, no stack trace.
/// Anything else is a bug or an outage: Error, with the exception. SignalR's dispatcher would log both at Error with
/// a stack trace, so its category is silenced (<see cref="DispatcherCategory"/>) and this filter, the outermost,
/// speaks for it.
/// </summary>
public sealed partial class RefusalLoggingFilter(ILogger<RefusalLoggingFilter> logger) : IHubFilter
{
    /// <summary>The only thing it logs above Debug is "Failed to invoke hub method", which this filter replaces.</summary>
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (HubException ex)
        {
            var method = invocationContext.HubMethodName;
            var connectionId = invocationContext.Context.ConnectionId;
            // A flooding client earns one refusal per call: keep those out of the default log.
            if (ex.Message == ChatErrors.RateLimited)
            {
                LogRateLimited(method, connectionId);
            }
            else
            {
                LogRefused(method, connectionId, ex.Message);
            }

            throw;
        }
        catch (Exception ex)
        {
            LogFailed(ex, invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} refused for connection {ConnectionId}: {Reason}")]
    private partial void LogRefused(string method, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} refused for connection {ConnectionId}: rate limited")]
    private partial void LogRateLimited(string method, string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed for connection {ConnectionId}")]
    private partial void LogFailed(Exception exception, string method, string connectionId);
}
