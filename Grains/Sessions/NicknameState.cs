namespace OrleansChat.Grains.Sessions;

/// <summary>The session holding a nickname. No session: <see cref="SessionId"/> is empty.</summary>
[GenerateSerializer, Alias("OrleansChat.NicknameState")]
public sealed class NicknameState
{
    [Id(0)]
    public string Nickname { get; set; } = string.Empty;

    [Id(1)]
    public Guid SessionId { get; set; }

    /// <summary>SHA-256 of the resume token's secret; the secret itself is never stored.</summary>
    [Id(2)]
    public byte[] TokenHash { get; set; } = [];

    [Id(3)]
    public string ConnectionId { get; set; } = string.Empty;

    [Id(4)]
    public string FrontId { get; set; } = string.Empty;

    [Id(5)]
    public List<string> Rooms { get; set; } = [];

    /// <summary>When the connection dropped; null while connected.</summary>
    [Id(6)]
    public DateTimeOffset? DetachedAt { get; set; }

    /// <summary>When the current connection took the session (claim or resume), by this grain's clock.</summary>
    [Id(7)]
    public DateTimeOffset AttachedAt { get; set; }

    /// <summary>When a detached session ends if nobody resumes it; null in states written before it was kept.</summary>
    [Id(8)]
    public DateTimeOffset? GraceEndsAt { get; set; }
}
