using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront.Settings;

/// <summary>Front-side behaviour. Bound from <c>OrleansChat:Front</c>.</summary>
public sealed class ChatFrontOptions : IValidatableObject
{
    public const string SectionName = "OrleansChat:Front";

    /// <summary>The shortest time between two typing announcements from one connection in one room.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan TypingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often this front renews its lease in the cluster.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the cluster waits for a renewal before it takes this front for dead.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the relay checks every subscribed room for messages the stream did not deliver.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Joins and leaves of a room reach each connection at most once per window: the first change after a quiet
    /// window goes out at once, the ones that follow within it go out together when it ends (<c>presence_batch</c>).
    /// Zero sends every change on its own.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan PresenceWindow { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The original chat's join and leave notices (the <c>message</c> event in <c>geral</c>) are sent while the room
    /// has at most this many members; in bigger rooms joins and leaves come as presence events only.
    /// </summary>
    [Range(0, 1_000_000)]
    public int NoticeMaxMembers { get; set; } = 100;

    /// <summary>
    /// How one attempt of a grain call may take before the hub tries again. A call in flight to a silo that
    /// dies hangs until Orleans' response timeout even once the death is known; every hub call is idempotent, so a
    /// second attempt can go out while the first still hangs. Calls normally take milliseconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan GrainCallAttemptTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the hub keeps retrying a grain call that fails for the infrastructure's sake before the user sees
    /// <c>Unavailable</c>. It has to outlast the cluster declaring a dead or hung silo dead and the fronts dropping
    /// its gateway (the membership settings of <c>OrleansChat:Cluster</c>), or a silo failure shows users an error;
    /// a call to a dead silo fails in milliseconds, so a count of attempts alone is used up long before that.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan GrainCallRetryBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Origins (e.g. <c>https://chat.example.com</c>) whose pages may use the hub besides the front's own: their
    /// WebSockets pass the origin check and their negotiation gets CORS headers (with credentials, as SignalR's
    /// browser client sends them). Empty (the default) allows same-origin pages only.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GrainCallRetryBudget < GrainCallAttemptTimeout)
        {
            yield return new ValidationResult(
                "must be at least GrainCallAttemptTimeout, or a call stuck on a dead silo is never retried.", [nameof(GrainCallRetryBudget)]);
        }

        if (LeaseDuration < LeaseRenewInterval * 2)
        {
            yield return new ValidationResult(
                "must be at least twice LeaseRenewInterval, or one late renewal kills a live front.", [nameof(LeaseDuration)]);
        }

        // Browsers send an origin as scheme://host[:port] (no default port, no path) and it is compared as a string:
        // anything else would silently never match. "*" is refused too: a policy with credentials cannot allow all.
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || !string.Equals(origin, uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult(
                    $"'{origin}' is not an origin: use scheme://host[:port], e.g. https://chat.example.com, with no path or trailing slash.",
                    [nameof(AllowedOrigins)]);
            }
        }
    }
}
