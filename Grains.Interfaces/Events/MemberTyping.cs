namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>A member is typing in the room. Ephemeral: never stored, never numbered, fine to lose.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberTyping")]
public sealed record MemberTyping(string Room, DateTimeOffset At, [property: Id(0)] string Nickname)
    : RoomEvent(Room, At);
