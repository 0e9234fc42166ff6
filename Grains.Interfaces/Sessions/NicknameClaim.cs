namespace OrleansChat.Grains.Interfaces.Sessions;

/// <param name="TokenHash">The hash of the token this connection will resume with.</param>
/// <param name="AccountProven">
/// The caller is signed in as the account that owns the nickname: a session already open on another device takes this
/// connection in (with <paramref name="TokenHash"/> as one more of its tokens) instead of refusing the nickname.
/// </param>
[GenerateSerializer, Immutable, Alias("OrleansChat.ClaimRequest")]
public sealed record ClaimRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] byte[] TokenHash,
    [property: Id(2)] string ConnectionId,
    [property: Id(3)] string FrontId,
    [property: Id(4)] bool AccountProven = false);

[Alias("OrleansChat.ClaimStatus")]
public enum ClaimStatus
{
    Claimed,
    InvalidNickname,
    Taken,
    TooManyConnections,
}

/// <summary>
/// A claimed nickname. <see cref="Rooms"/> and <see cref="Revision"/> are the session's rooms when the claim attached
/// the connection to a session that was already open (a signed-in user's other device); empty and 0 for a new one.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ClaimResult")]
public sealed record ClaimResult(
    [property: Id(0)] ClaimStatus Status,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] IReadOnlyList<string>? Rooms = null,
    [property: Id(4)] long Revision = 0);
