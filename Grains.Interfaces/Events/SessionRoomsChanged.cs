namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// The user's session joined (<see cref="Joined"/>) or left <see cref="Room"/> through connection
/// <see cref="ByConnection"/>: the user's other connections follow it in or out. <see cref="Rooms"/> is every room of
/// the session after the change and <see cref="Revision"/> counts the changes, so a connection that started while this
/// was on its way can tell it missed it and catch up from the list.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.SessionRoomsChanged")]
public sealed record SessionRoomsChanged(
    string User,
    DateTimeOffset At,
    [property: Id(0)] string Room,
    [property: Id(1)] bool Joined,
    [property: Id(2)] string ByConnection,
    [property: Id(3)] IReadOnlyList<string> Rooms,
    [property: Id(4)] long Revision) : UserEvent(User, At);
