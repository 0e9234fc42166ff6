namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>A nickname left the room (its connection closed, or its front died); <see cref="MemberCount"/> remain.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberLeft")]
public sealed record MemberLeft(
    string Room,
    DateTimeOffset At,
    [property: Id(0)] string Nickname,
    [property: Id(1)] int MemberCount) : RoomEvent(Room, At);
