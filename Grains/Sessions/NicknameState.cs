namespace OrleansChat.Grains.Sessions;

/// <summary>The session holding a nickname. No session: <see cref="SessionId"/> is empty.</summary>
[GenerateSerializer, Alias("OrleansChat.NicknameState")]
public sealed class NicknameState
{
    [Id(0)]
    public string Nickname { get; set; } = string.Empty;

    [Id(1)]
    public Guid SessionId { get; set; }

    [Id(5)]
    public List<string> Rooms { get; set; } = [];

    /// <summary>When the last connection went; null while any is attached.</summary>
    [Id(6)]
    public DateTimeOffset? DetachedAt { get; set; }

    /// <summary>When a detached session ends if nobody resumes it.</summary>
    [Id(8)]
    public DateTimeOffset? GraceEndsAt { get; set; }

    /// <summary>
    /// SHA-256 of each resume token's secret (the secrets are never stored): the one the session started with, and
    /// one per signed-in device that joined it since, the oldest first.
    /// </summary>
    [Id(9)]
    public List<byte[]> TokenHashes { get; set; } = [];

    /// <summary>The connections speaking for the nickname now, in the order they came.</summary>
    [Id(10)]
    public List<SessionAttachment> Attachments { get; set; } = [];

    /// <summary>How many times <see cref="Rooms"/> changed; other connections compare it with what they heard.</summary>
    [Id(11)]
    public long Revision { get; set; }
}

/// <summary>One connection of a session: where it is, and when it took the session (by the grain's clock).</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.SessionAttachment")]
public sealed record SessionAttachment(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string FrontId,
    [property: Id(2)] DateTimeOffset AttachedAt);
