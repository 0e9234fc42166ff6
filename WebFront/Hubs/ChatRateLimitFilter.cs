using System.Collections.Concurrent;
using System.Reflection;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// Per-connection token buckets in front of every hub method (each names its bucket with
/// <see cref="RateLimitedAttribute"/>), so one client cannot flood a room or the grains behind it. A call over the limit fails at once with <see cref="ChatErrors.RateLimited"/>; the connection stays open.
/// </summary>
/// <remarks>
/// Partitioned limiters keyed by connection: one shared timer refills every bucket and idle buckets are dropped,
/// so ten thousand connections do not mean thirty thousand timers.
/// </remarks>
public sealed class ChatRateLimitFilter : IHubFilter, IDisposable
{
    private static readonly ConcurrentDictionary<MethodInfo, RateBucket> Buckets = new();

    private readonly PartitionedRateLimiter<string> _messages;
    private readonly PartitionedRateLimiter<string> _joins;
    private readonly PartitionedRateLimiter<string> _other;

    public ChatRateLimitFilter(IOptions<ChatLimitsOptions> options)
    {
        var limits = options.Value;
        _messages = PerConnection(limits.MessagesPerSecond, limits.MessageBurst);
        _joins = PerConnection(limits.JoinsPerSecond, limits.JoinBurst);
        _other = PerConnection(limits.OtherCallsPerSecond, limits.OtherCallBurst);
    }

    public async ValueTask<object?> InvokeMethodAsync(
        HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var limiter = BucketOf(invocationContext.HubMethod) switch
        {
            RateBucket.Messages => _messages,
            RateBucket.Joins => _joins,
            _ => _other,
        };
        using var lease = limiter.AttemptAcquire(invocationContext.Context.ConnectionId);
        if (!lease.IsAcquired)
        {
            throw new HubException(ChatErrors.RateLimited);
        }

        return await next(invocationContext);
    }

    /// <summary>The bucket a hub method declares with <see cref="RateLimitedAttribute"/>; read once per method.</summary>
    public static RateBucket BucketOf(MethodInfo method) => Buckets.GetOrAdd(method, static m =>
        m.GetCustomAttribute<RateLimitedAttribute>()?.Bucket
        ?? throw new InvalidOperationException($"Hub method {m.Name} does not say which rate limit it draws from."));

    public void Dispose()
    {
        _messages.Dispose();
        _joins.Dispose();
        _other.Dispose();
    }

    /// <summary>A bucket of <paramref name="burst"/> tokens per connection, refilled at <paramref name="perSecond"/>.</summary>
    private static PartitionedRateLimiter<string> PerConnection(double perSecond, int burst)
    {
        // The shared timer ticks every 100 ms: refill in steps no finer than that.
        var period = TimeSpan.FromSeconds(Math.Max(0.1, 1 / perSecond));
        var tokens = Math.Max(1, (int)Math.Round(perSecond * period.TotalSeconds));
        return PartitionedRateLimiter.Create<string, string>(connectionId =>
            RateLimitPartition.GetTokenBucketLimiter(connectionId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = tokens,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
            }));
    }
}
