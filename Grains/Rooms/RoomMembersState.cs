namespace OrleansChat.Grains.Rooms;

/// <summary>
/// How a room stored its members before member pages: the whole list in one record (state "members"), rewritten on
/// every change. Kept so that a room activated from an older deployment's Redis moves its members into pages once
/// (<see cref="RoomMembership.LoadAsync"/>).
/// </summary>
[GenerateSerializer, Alias("OrleansChat.RoomMembersState")]
public sealed class RoomMembersState
{
    [Id(0)]
    public Dictionary<string, RoomMember> Members { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A member: its nickname, the session that holds it, and the front its connection is on.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.RoomMember")]
public sealed record RoomMember(
    [property: Id(0)] string Nickname,
    [property: Id(1)] Guid SessionId,
    [property: Id(2)] string FrontId,
    [property: Id(3)] DateTimeOffset JoinedAt);
