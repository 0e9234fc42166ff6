using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Grains.Hosting;

/// <summary>How this process joins the Orleans cluster. Bound from <c>OrleansChat:Cluster</c>.</summary>
public sealed class ChatClusterOptions
{
    public const string SectionName = "OrleansChat:Cluster";

    /// <summary>Port silos talk to each other on.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients connect to; 0 runs no gateway (an embedded silo needs none).</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; }

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
}
