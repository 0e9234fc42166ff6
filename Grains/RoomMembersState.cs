namespace OrleansChat.Grains;

/// <summary>Who is in a room, keyed by <see cref="ChatRules.KeyOf"/> of the nickname.</summary>
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
