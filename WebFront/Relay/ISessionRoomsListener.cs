using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// What this front does when a user's session joins or leaves a room through one of the user's connections: the hub
/// layer's <c>SessionMirror</c> brings the user's other connections here along. Told in the order the user's stream
/// delivers, one change at a time per user.
/// </summary>
public interface ISessionRoomsListener
{
    Task RoomsChangedAsync(SessionRoomsChanged change);
}
