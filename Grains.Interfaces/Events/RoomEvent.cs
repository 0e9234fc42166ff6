namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>Something that happened in a room, published on the room's stream for every front to relay.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.RoomEvent")]
public abstract record RoomEvent([property: Id(0)] string Room, [property: Id(1)] DateTimeOffset At);
