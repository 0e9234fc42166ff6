using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront.Settings;

/// <summary>Flood protection: per-connection call rates and per-address connections. Bound from <c>OrleansChat:Limits</c>.</summary>
public sealed class ChatLimitsOptions
{
    public const string SectionName = "OrleansChat:Limits";

    /// <summary>Sustained messages per second per connection (<c>Message</c>, <c>SendToRoom</c>).</summary>
    [Range(0.1, 1_000_000)]
    public double MessagesPerSecond { get; set; } = 10;

    /// <summary>Messages a connection may send at once before the rate applies.</summary>
    [Range(1, 100_000)]
    public int MessageBurst { get; set; } = 20;

    /// <summary>Sustained room joins and leaves per second per connection.</summary>
    [Range(0.1, 1_000_000)]
    public double JoinsPerSecond { get; set; } = 2;

    [Range(1, 100_000)]
    public int JoinBurst { get; set; } = 10;

    /// <summary>Sustained calls per second per connection to every other method (typing, history, listing rooms).</summary>
    [Range(0.1, 1_000_000)]
    public double OtherCallsPerSecond { get; set; } = 10;

    [Range(1, 100_000)]
    public int OtherCallBurst { get; set; } = 20;

    /// <summary>Open hub connections from one client address.</summary>
    [Range(1, 1_000_000)]
    public int ConnectionsPerAddress { get; set; } = 100;

    /// <summary>
    /// The largest message a client may send, in bytes. A 2,000-character chat message is at most ~12 KB of JSON
    /// even fully escaped; anything far larger is not a chat message, and SignalR closes the connection.
    /// </summary>
    [Range(1024, 1024 * 1024)]
    public int MaximumReceiveMessageSize { get; set; } = 32 * 1024;

    /// <summary>
    /// Room events a connection may have waiting (not yet taken by its transport, whose own buffers are bounded by
    /// SignalR) before the front drops it. A reader that keeps up never has more than a few.
    /// </summary>
    [Range(16, 1_000_000)]
    public int SlowConsumerMaxPending { get; set; } = 1_000;

    /// <summary>How long a connection's waiting writes may make no progress before the front drops it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SlowConsumerTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
