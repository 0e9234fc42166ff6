namespace OrleansChat.Grains.Interfaces.Sessions;

[GenerateSerializer, Immutable, Alias("OrleansChat.SessionRoomRequest")]
public sealed record SessionRoomRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string Room);

[GenerateSerializer, Immutable, Alias("OrleansChat.DisconnectRequest")]
public sealed record DisconnectRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] bool Clean);
