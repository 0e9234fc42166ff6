namespace OrleansChat.Grains;

/// <summary>Who is in a room, keyed by <see cref="ChatRules.KeyOf"/> of the nickname.</summary>
[GenerateSerializer, Alias("OrleansChat.RoomMembersState")]
public sealed class RoomMembersState
{
    [Id(0)]
    public Dictionary<string, RoomMember> Members { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A member: its display nickname, the connection it belongs to and the front that holds that connection.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.RoomMember")]
public sealed record RoomMember(
    [property: Id(0)] string Nickname,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] string FrontId,
    [property: Id(3)] DateTimeOffset JoinedAt);
