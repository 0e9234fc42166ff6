namespace OrleansChat.Grains.Interfaces.Rooms;

/// <summary>The last message of a room a front delivered, in the epoch it delivered it in.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.SeenReport")]
public sealed record SeenReport([property: Id(0)] string Epoch, [property: Id(1)] long Seq);
