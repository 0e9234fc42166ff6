namespace OrleansChat.Grains.Interfaces.Rooms;

[GenerateSerializer, Immutable, Alias("OrleansChat.RoomInfo")]
public sealed record RoomInfo([property: Id(0)] string Room, [property: Id(1)] int Members);
