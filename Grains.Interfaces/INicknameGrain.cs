namespace OrleansChat.Grains;

/// <summary>
/// Owns one nickname across the whole server (keyed by <see cref="ChatRules.KeyOf"/>) and the session that holds
/// it: the resume token, the connection currently speaking for it and the rooms it is in. A dropped connection
/// keeps the session for a grace period; only when it ends do the rooms hear that the user left.
/// </summary>
[Alias("OrleansChat.INicknameGrain")]
public interface INicknameGrain : IGrainWithStringKey
{
    /// <summary>Starts a session on a free nickname.</summary>
    [Alias("Claim")]
    Task<ClaimResult> Claim(ClaimRequest request);

    /// <summary>Moves a live or detached session to a new connection, if the token matches.</summary>
    [Alias("Resume")]
    Task<ResumeResult> Resume(ResumeRequest request);

    /// <summary>Joins a room on behalf of the session (enforcing the rooms-per-user limit).</summary>
    [Alias("JoinRoom")]
    Task<JoinResult> JoinRoom(SessionRoomRequest request);

    /// <summary>Leaves a room on behalf of the session.</summary>
    [Alias("LeaveRoom")]
    Task LeaveRoom(SessionRoomRequest request);

    /// <summary>
    /// The session's connection closed. A clean close ends the session at once; a dropped one starts the grace
    /// period. Ignored if the session has already moved to another connection.
    /// </summary>
    [Alias("Disconnect")]
    Task Disconnect(DisconnectRequest request);

    /// <summary>The front holding this session's connection is gone; ignored if the session has moved on.</summary>
    [Alias("FrontLost")]
    Task FrontLost(FrontLost lost);

    /// <summary>
    /// An administrator ends the session: each of its rooms publishes <see cref="Events.MemberRemoved"/> (so the
    /// front holding the connection closes it) and the nickname is free again.
    /// </summary>
    [Alias("Kick")]
    Task<ModerationResult> Kick(ModerationRequest request);
}

[GenerateSerializer, Immutable, Alias("OrleansChat.ClaimRequest")]
public sealed record ClaimRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] byte[] TokenHash,
    [property: Id(2)] string ConnectionId,
    [property: Id(3)] string FrontId);

[Alias("OrleansChat.ClaimStatus")]
public enum ClaimStatus
{
    Claimed,
    InvalidNickname,
    Taken,
}

[GenerateSerializer, Immutable, Alias("OrleansChat.ClaimResult")]
public sealed record ClaimResult(
    [property: Id(0)] ClaimStatus Status,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId);

[GenerateSerializer, Immutable, Alias("OrleansChat.ResumeRequest")]
public sealed record ResumeRequest(
    [property: Id(0)] byte[] TokenHash,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] string FrontId);

/// <summary>A resumed session; <see cref="Nickname"/> is null when the session is gone or the token is wrong.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ResumeResult")]
public sealed record ResumeResult(
    [property: Id(0)] string? Nickname,
    [property: Id(1)] Guid SessionId,
    [property: Id(2)] IReadOnlyList<string> Rooms);

[GenerateSerializer, Immutable, Alias("OrleansChat.SessionRoomRequest")]
public sealed record SessionRoomRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string Room);

[GenerateSerializer, Immutable, Alias("OrleansChat.DisconnectRequest")]
public sealed record DisconnectRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] bool Clean);
