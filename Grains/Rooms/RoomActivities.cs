using System.Diagnostics;
using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// The rooms' own spans, traced with Orleans' grain calls when a collector listens (otherwise nothing here starts
/// anything): the storage write that stores a batch of posts (group commit), in the trace of the post that opened
/// it and linked to the others'.
/// </summary>
public static class RoomActivities
{
    public const string SourceName = "OrleansChat.Grains";

    public const string StoreName = "chat.room.store";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The trace a post joins: the caller's, or none (default) while nobody listens.</summary>
    internal static ActivityContext CurrentTrace() =>
        Source.HasListeners() && Activity.Current is { } current ? current.Context : default;

    /// <summary>
    /// The write of a batch of posts, or null when nobody listens or no post of the batch is traced. The
    /// <paramref name="posts"/> are each post's trace (default where none): the first traced one is the parent.
    /// </summary>
    internal static Activity? StartStore(string room, IReadOnlyList<ActivityContext> posts, long upTo)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var traced = posts.Where(p => p != default).ToList();
        if (traced.Count == 0)
        {
            return null;
        }

        var activity = Source.StartActivity(
            StoreName, ActivityKind.Internal, traced[0], links: traced.Skip(1).Select(p => new ActivityLink(p)));
        activity?.SetTag("chat.room", room);
        activity?.SetTag("chat.batch.size", posts.Count);
        activity?.SetTag("chat.seq.up_to", upTo);
        return activity;
    }

    /// <summary>The message as published: carrying its post's trace, so the fronts' fan-out joins it.</summary>
    internal static MessagePosted WithTrace(MessagePosted message, ActivityContext post) =>
        post == default
            ? message
            : message with { TraceParent = $"00-{post.TraceId.ToHexString()}-{post.SpanId.ToHexString()}-{(post.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00")}" };
}
