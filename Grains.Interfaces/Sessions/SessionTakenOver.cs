namespace OrleansChat.Grains.Interfaces.Sessions;

/// <summary>
/// A session moved to a new connection by <c>Resume</c> while its connection <see cref="ConnectionId"/> was still
/// attached: that connection no longer speaks for <see cref="Nickname"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.SessionTakenOver")]
public sealed record SessionTakenOver(
    [property: Id(0)] string Nickname,
    [property: Id(1)] string ConnectionId);
