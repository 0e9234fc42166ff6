using OrleansChat.Grains.Interfaces.Moderation;

namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// An administrator took a nickname out of the room. Every front announces it as a leave; the front holding the
/// user's connection also tells the user why and, on a kick, closes that connection. <see cref="MemberCount"/> members
/// remain.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberRemoved")]
public sealed record MemberRemoved(
    string Room,
    DateTimeOffset At,
    [property: Id(0)] string Nickname,
    [property: Id(1)] RemovalReason Reason,
    [property: Id(2)] int MemberCount) : RoomEvent(Room, At);
