namespace OrleansChat.Grains.Interfaces.Fronts;

/// <summary>
/// A front's connections are gone. <see cref="Clean"/>: it shut down and said so (leave now); otherwise it died and
/// its sessions get the rest of their grace period, counted from <see cref="Since"/>. <see cref="DecidedAt"/>: when
/// the directory decided it, so a session that attached to the front later knows the decision is not about it.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.FrontLost")]
public sealed record FrontLost(
    [property: Id(0)] string FrontId,
    [property: Id(1)] DateTimeOffset Since,
    [property: Id(2)] bool Clean,
    [property: Id(3)] DateTimeOffset DecidedAt);
