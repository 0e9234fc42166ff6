namespace OrleansChat.Grains.Interfaces.Sessions;

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
