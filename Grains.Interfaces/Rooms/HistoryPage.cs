using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Interfaces.Rooms;

[GenerateSerializer, Immutable, Alias("OrleansChat.HistoryPage")]
public sealed record HistoryPage([property: Id(0)] IReadOnlyList<MessagePosted> Messages);

/// <summary>Names a room's page: the epoch is part of the key so pages of a lost history are never mixed in.</summary>
public static class HistoryPageKey
{
    public static string For(string room, string epoch, long pageIndex) => $"{epoch}/{pageIndex}/{room}";
}
