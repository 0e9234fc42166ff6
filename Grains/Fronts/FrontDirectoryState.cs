namespace OrleansChat.Grains.Fronts;

/// <summary>Each live front's last renewal and lease length.</summary>
[GenerateSerializer, Alias("OrleansChat.FrontDirectoryState")]
public sealed class FrontDirectoryState
{
    [Id(0)]
    public Dictionary<string, FrontLeaseRecord> Fronts { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One front's lease. <see cref="Generation"/> is new each time the directory starts a lease for the front, so a
/// front that sees it change knows it was taken for dead in between.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLeaseRecord")]
public sealed record FrontLeaseRecord(
    [property: Id(0)] DateTimeOffset RenewedAt,
    [property: Id(1)] TimeSpan Duration,
    [property: Id(2)] Guid Generation);
