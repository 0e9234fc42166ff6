namespace OrleansChat.Grains.Interfaces.Fronts;

[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLease")]
public sealed record FrontLease([property: Id(0)] string FrontId, [property: Id(1)] TimeSpan Duration);
