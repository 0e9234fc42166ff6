using System.Diagnostics;
using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.WebFront.Diagnostics;

/// <summary>
/// The front's own spans, traced only when a collector listens (otherwise every start returns null and costs a field
/// read): a message's post from the hub (<see cref="SendName"/>) and its fan-out to this front's connections
/// (<see cref="FanOutName"/>), which joins the post's trace through the <see cref="MessagePosted.TraceParent"/> the
/// room published with it.
/// </summary>
public static class ChatActivities
{
    /// <summary>The same name as the front's meter: one name to turn on for both.</summary>
    public const string SourceName = ChatMetrics.MeterName;

    /// <summary>A hub call posting a message: the grain call and its retries, up to the room's acknowledgement.</summary>
    public const string SendName = "chat.send";

    /// <summary>A message from the stream's delivery to its write to every connection of the room on this front.</summary>
    public const string FanOutName = "chat.relay.fanout";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartSend(string room)
    {
        var activity = Source.StartActivity(SendName, ActivityKind.Internal);
        activity?.SetTag("chat.room", room);
        return activity;
    }

    /// <summary>
    /// The fan-out of a message in the trace of its post, or null when nobody listens or the message carries no trace
    /// (tracing is off at the room, or it came from history). It does not become the current activity: the relay
    /// ends it once the message is written out, after other events of the same pass.
    /// </summary>
    public static Activity? StartFanOut(MessagePosted message)
    {
        if (message.TraceParent is null || !Source.HasListeners()
            || !ActivityContext.TryParse(message.TraceParent, null, isRemote: true, out var post))
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity(FanOutName, ActivityKind.Consumer, post);
        Activity.Current = previous;
        activity?.SetTag("chat.room", message.Room);
        activity?.SetTag("chat.seq", message.Seq);
        return activity;
    }
}
