namespace OrleansChat.Grains.Interfaces.Fronts;

/// <summary>
/// A front's connections are gone. <see cref="Clean"/>: end its sessions now (nothing asks for this any more: a
/// retiring front hands its users back for the grace period, see the front directory); otherwise it stopped or died and
/// its sessions get the rest of their grace period, counted from <see cref="Since"/>. <see cref="DecidedAt"/>: when
/// the directory decided it, so a session that attached to the front later knows the decision is not about it.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLost")]
public sealed record FrontLost(
    [property: Id(0)] string FrontId,
    [property: Id(1)] DateTimeOffset Since,
    [property: Id(2)] bool Clean,
    [property: Id(3)] DateTimeOffset DecidedAt);
