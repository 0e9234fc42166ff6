namespace OrleansChat.Grains;

/// <summary>Each live front's last renewal and lease length.</summary>
[GenerateSerializer, Alias("OrleansChat.FrontDirectoryState")]
public sealed class FrontDirectoryState
{
    [Id(0)]
    public Dictionary<string, FrontLeaseRecord> Fronts { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLeaseRecord")]
public sealed record FrontLeaseRecord([property: Id(0)] DateTimeOffset RenewedAt, [property: Id(1)] TimeSpan Duration);
