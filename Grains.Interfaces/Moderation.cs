namespace OrleansChat.Grains;

// The arguments and outcome of an administrator's action (kick, ban, unban). The front decides who is an
// administrator; the grains apply the action, so a ban holds whichever front a user comes through.

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

/// <summary>Takes a member out of a room on a moderator's behalf, if it still belongs to the given session.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.RemoveRequest")]
public sealed record RemoveRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] Guid SessionId,
    [property: Id(2)] RemovalReason Reason);

/// <summary>Why a member was taken out of a room; fronts tell the removed user, and end its connection on a kick.</summary>
[Alias("OrleansChat.RemovalReason")]
public enum RemovalReason
{
    Kicked,
    Banned,
}
