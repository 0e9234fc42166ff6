namespace OrleansChat.Grains.Interfaces.Sessions;

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
