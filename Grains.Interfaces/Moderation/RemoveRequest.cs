namespace OrleansChat.Grains.Interfaces.Moderation;

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
