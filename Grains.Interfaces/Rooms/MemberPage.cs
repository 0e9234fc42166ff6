namespace OrleansChat.Grains.Interfaces.Rooms;

/// <summary>
/// Members whose nickname key (<see cref="ChatRules.KeyOf"/>) comes after <see cref="After"/>'s (from the first when
/// null), at most <see cref="Limit"/> of them. Paging by nickname keeps a cursor valid while members come and go.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberQuery")]
public sealed record MemberQuery(
    [property: Id(0)] string? After,
    [property: Id(1)] int Limit);

/// <summary>A page of members in nickname order, out of <see cref="Count"/>; <see cref="HasMore"/> if more follow.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberPage")]
public sealed record MemberPage(
    [property: Id(0)] int Count,
    [property: Id(1)] IReadOnlyList<string> Members,
    [property: Id(2)] bool HasMore);
