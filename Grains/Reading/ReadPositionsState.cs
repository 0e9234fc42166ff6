namespace OrleansChat.Grains.Reading;

/// <summary>One user's read positions, as stored. No owner yet: <see cref="Owner"/> is empty and no room is in it.</summary>
[GenerateSerializer, Alias("OrleansChat.ReadPositionsState")]
public sealed class ReadPositionsState
{
    /// <summary>Whose positions these are (<see cref="Interfaces.Reading.ReadOwner"/>).</summary>
    [Id(0)]
    public Guid Owner { get; set; }

    /// <summary>By normalized room name.</summary>
    [Id(1)]
    public Dictionary<string, RoomReadState> Rooms { get; set; } = [];
}

/// <summary>How far one room has been read, and when it was last marked (the least recently marked goes first).</summary>
[GenerateSerializer, Alias("OrleansChat.RoomReadState")]
public sealed class RoomReadState
{
    [Id(0)]
    public string Epoch { get; set; } = string.Empty;

    [Id(1)]
    public long Seq { get; set; }

    [Id(2)]
    public DateTimeOffset MarkedAt { get; set; }
}
