namespace OrleansChat.Grains.Interfaces.Sessions;

/// <summary>A nickname's session: the nickname as registered and the session's id.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.SessionHolder")]
public sealed record SessionHolder([property: Id(0)] string Nickname, [property: Id(1)] Guid SessionId);
