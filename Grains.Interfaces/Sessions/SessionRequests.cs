namespace OrleansChat.Grains.Interfaces.Sessions;

/// <param name="ConnectionId">The connection asking: the session's other connections are told of the change.</param>
[GenerateSerializer, Immutable, Alias("OrleansChat.SessionRoomRequest")]
public sealed record SessionRoomRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string Room,
    [property: Id(2)] string ConnectionId = "");

/// <param name="Clean">The client said goodbye on this connection: it is let go at once.</param>
/// <param name="PageClosed">
/// The client closed its connection without saying goodbye, as a browser does when a page is closed or reloaded: if it
/// was the session's last connection, the session waits <c>ReloadGrace</c> for the page to come back, instead of the
/// whole grace period of a drop.
/// </param>
[GenerateSerializer, Immutable, Alias("OrleansChat.DisconnectRequest")]
public sealed record DisconnectRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] bool Clean,
    [property: Id(3)] bool PageClosed = false);
