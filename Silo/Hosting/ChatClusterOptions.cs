using System.ComponentModel.DataAnnotations;
using System.Net;

namespace OrleansChat.Hosting;

/// <summary>How this process joins the Orleans cluster. Bound from <c>OrleansChat:Cluster</c>.</summary>
public sealed class ChatClusterOptions : IValidatableObject
{
    public const string SectionName = "OrleansChat:Cluster";

    public ClusterMode Mode { get; set; } = ClusterMode.Embedded;

    /// <summary>StackExchange.Redis connection string, e.g. <c>redis:6379</c>. Required in Redis mode.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Port silos talk to each other on.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (fronts) connect to; 0 runs no gateway (an embedded silo needs none).</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; }

    /// <summary>The IP address other processes reach this silo at; unset lets Orleans pick this host's address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Runs the silo under Orleans' Kubernetes hosting (pod identity and cleanup from the Kubernetes API).</summary>
    public bool Kubernetes { get; set; }

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string ServiceId { get; set; } = "orleans-chat";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string ClusterId { get; set; } = "dev";

    /// <summary>
    /// How often stream pulling agents poll their queues. Orleans' 100 ms default is latency every chat message
    /// would pay; an empty poll of an in-memory queue costs microseconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan StreamPollInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long a silo waits for a probe answer before counting it missed. Shorter than Orleans' default (a starting
    /// value Orleans adapts), so a killed silo is declared dead, and users stop waiting on it, in seconds
    /// (bench/README.md, "Settings chosen by measurement"); the price is falsely suspecting a silo whose process
    /// stalls that long (heavy GC, CPU starvation).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 10)]
    public int NumMissedProbesLimit { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a grain call may take. A call in flight when a silo dies waits this long before it can be retried,
    /// so it is far below Orleans' 30 s default; chat calls take milliseconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:05:00")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a gateway keeps a front that disconnected before dropping it. Until then the stream agents keep
    /// delivering the rooms a dead front followed to it, each try waiting <see cref="ResponseTimeout"/>, which holds up
    /// those rooms' queues for the live fronts (bench/README.md, "Settings chosen by measurement"). A live front cut
    /// off for this long has lost its lease as well, and its users resume.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClientDropTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a front re-reads the silos it may use as gateways. Orleans' default of a minute leaves a front with
    /// only dead gateways for that long when silos are replaced in turn (a rolling restart).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == ClusterMode.Redis && string.IsNullOrWhiteSpace(RedisConnectionString))
        {
            yield return new ValidationResult("is required when Mode is Redis.", [nameof(RedisConnectionString)]);
        }

        if (!string.IsNullOrEmpty(AdvertisedAddress) && !IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new ValidationResult("must be an IP address.", [nameof(AdvertisedAddress)]);
        }
    }
}
