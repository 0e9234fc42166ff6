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
    /// How long a silo waits for a probe answer before counting it missed, and how often it probes, at first: Orleans
    /// adapts both to the answer times it sees, between half of this and <see cref="MaxProbeTimeout"/>. Shorter than
    /// Orleans' 5 s so a dead or hung silo is declared dead in seconds; the price is falsely suspecting a live silo
    /// whose process stalls that long (GC, CPU starvation). docs/operations.md, "The failover settings".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a probe may wait once Orleans has adapted it. Orleans allows four times <see cref="ProbeTimeout"/>,
    /// and on a busy machine it gets there: a hung silo then took NumMissedProbesLimit × 4 s to be declared dead (13–16 s
    /// of chat stopped). This caps detection at about NumMissedProbesLimit × this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan MaxProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Missed probes in a row after which a silo votes the silo it probes dead. Two, below Orleans' three, so a killed
    /// silo's rooms stop for under 2 s; the price is that a live silo stalled for about 2 × <see cref="MaxProbeTimeout"/>
    /// is declared dead too (docs/operations.md, "The failover settings").
    /// </summary>
    [Range(1, 10)]
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>
    /// Votes needed to declare a silo dead (Orleans needs fewer when fewer silos are alive to vote: with two silos one
    /// vote does). More votes protect a stalled silo from one slow prober, at the cost of slower detection.
    /// </summary>
    [Range(1, 10)]
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>
    /// How long a death vote counts. Votes must gather within this window; long enough for a second prober's vote to
    /// join the first, short enough that suspicions left over from old stalls do not add up to a death.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a silo re-reads the membership table (gossip usually tells it sooner).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a silo writes its heartbeat to the membership table (diagnostics and stale-entry cleanup).</summary>
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
    /// How often a front re-reads the silos it may use as gateways. A hung silo's gateway keeps its connections open,
    /// so a front keeps sending through it until this read shows it dead: it is part of the pause users see. Orleans'
    /// default of a minute also leaves a front with only dead gateways when silos are replaced in turn. One small
    /// Redis read a second per front.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == ClusterMode.Redis && string.IsNullOrWhiteSpace(RedisConnectionString))
        {
            yield return new ValidationResult("is required when Mode is Redis.", [nameof(RedisConnectionString)]);
        }

        if (MaxProbeTimeout < ProbeTimeout)
        {
            yield return new ValidationResult("must be at least ProbeTimeout.", [nameof(MaxProbeTimeout)]);
        }

        if (!string.IsNullOrEmpty(AdvertisedAddress) && !IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new ValidationResult("must be an IP address.", [nameof(AdvertisedAddress)]);
        }
    }
}
