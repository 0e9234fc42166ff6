namespace OrleansChat.WebFront.Hubs;

/// <summary>
/// The per-connection token bucket a hub method draws from (<see cref="ChatRateLimitFilter"/>). Every hub method
/// must name one: a method without it is refused, so a new method cannot slip into a bucket by default.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RateLimitedAttribute(RateBucket bucket) : Attribute
{
    public RateBucket Bucket { get; } = bucket;
}

/// <summary>The buckets, each sized by <c>OrleansChat:Limits</c>.</summary>
public enum RateBucket
{
    /// <summary>Posting to a room: <c>MessagesPerSecond</c>, <c>MessageBurst</c>.</summary>
    Messages,

    /// <summary>Joining and leaving rooms: <c>JoinsPerSecond</c>, <c>JoinBurst</c>.</summary>
    Joins,

    /// <summary>Everything else: <c>OtherCallsPerSecond</c>, <c>OtherCallBurst</c>.</summary>
    Other,
}
