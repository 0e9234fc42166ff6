namespace OrleansChat.Grains.Rooms;

/// <summary>The nicknames banned from a room, keyed by <see cref="ChatRules.KeyOf"/>.</summary>
[GenerateSerializer, Alias("OrleansChat.RoomBansState")]
public sealed class RoomBansState
{
    [Id(0)]
    public Dictionary<string, RoomBan> Bans { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One ban: the nickname as the administrator wrote it, who banned it and when.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.RoomBan")]
public sealed record RoomBan(
    [property: Id(0)] string Nickname,
    [property: Id(1)] string By,
    [property: Id(2)] DateTimeOffset At);
