namespace OrleansChat.Grains.Interfaces.Sessions;

[GenerateSerializer, Immutable, Alias("OrleansChat.SessionRoomRequest")]
public sealed record SessionRoomRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string Room);

[GenerateSerializer, Immutable, Alias("OrleansChat.DisconnectRequest")]
/// <param name="Clean">The client said goodbye: the user leaves at once.</param>
/// <param name="PageClosed">
/// The client closed its connection without saying goodbye, as a browser does when a page is closed or reloaded: the
/// session waits <c>ReloadGrace</c> for the page to come back, instead of the whole grace period of a drop.
/// </param>
public sealed record DisconnectRequest(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] bool Clean,
    [property: Id(3)] bool PageClosed = false);
