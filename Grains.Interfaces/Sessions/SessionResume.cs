namespace OrleansChat.Grains.Interfaces.Sessions;

[GenerateSerializer, Immutable, Alias("OrleansChat.ResumeRequest")]
public sealed record ResumeRequest(
    [property: Id(0)] byte[] TokenHash,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] string FrontId);

[Alias("OrleansChat.ResumeStatus")]
public enum ResumeStatus
{
    Resumed,

    /// <summary>No session, or the token is not one of its tokens.</summary>
    Expired,

    /// <summary>The session already has as many connections as a user may have.</summary>
    TooManyConnections,
}

/// <summary>
/// A session that took in one more connection: its nickname, rooms and room <see cref="Revision"/> (see
/// <see cref="Events.SessionRoomsChanged"/>); only <see cref="Status"/> is set unless it is
/// <see cref="ResumeStatus.Resumed"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ResumeResult")]
public sealed record ResumeResult(
    [property: Id(0)] ResumeStatus Status,
    [property: Id(1)] string? Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] IReadOnlyList<string> Rooms,
    [property: Id(4)] long Revision = 0);
