namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>A nickname joined the room, which now has <see cref="MemberCount"/> members.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberJoined")]
public sealed record MemberJoined(
    string Room,
    DateTimeOffset At,
    [property: Id(0)] string Nickname,
    [property: Id(1)] int MemberCount) : RoomEvent(Room, At);
