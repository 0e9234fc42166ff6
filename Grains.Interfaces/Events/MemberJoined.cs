namespace OrleansChat.Grains.Events;

/// <summary>A nickname joined the room.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberJoined")]
public sealed record MemberJoined(string Room, DateTimeOffset At, [property: Id(0)] string Nickname)
    : RoomEvent(Room, At);
