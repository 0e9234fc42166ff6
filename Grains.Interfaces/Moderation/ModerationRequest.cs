namespace OrleansChat.Grains.Interfaces.Moderation;

/// <summary>An administrator's action on a nickname; <see cref="By"/> is the administrator, for the log.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ModerationRequest")]
public sealed record ModerationRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] string By);

[Alias("OrleansChat.ModerationStatus")]
public enum ModerationStatus
{
    /// <summary>The action was applied (or was already in force).</summary>
    Done,
    InvalidNickname,

    /// <summary>A kick found no session holding the nickname.</summary>
    NotFound,
}

[GenerateSerializer, Immutable, Alias("OrleansChat.ModerationResult")]
public sealed record ModerationResult(
    [property: Id(0)] ModerationStatus Status,
    [property: Id(1)] string Nickname);
