namespace OrleansChat.Grains.Interfaces.Reading;

/// <summary>
/// Whose read positions these are: a session id while nicknames are anonymous (a new session under the same nickname
/// is another person), or <see cref="Account"/> when sign-in is required (the account keeps its positions across
/// sessions).
/// </summary>
public static class ReadOwner
{
    public static readonly Guid Account = Guid.Empty;
}

/// <summary>The user read room <see cref="Room"/> up to <see cref="Seq"/>, in the room's epoch <see cref="Epoch"/>.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ReadMark")]
public sealed record ReadMark(
    [property: Id(0)] Guid Owner,
    [property: Id(1)] string Room,
    [property: Id(2)] string Epoch,
    [property: Id(3)] long Seq);

/// <summary>The room's position after a mark; <see cref="Moved"/> is false when the mark was not past it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ReadMarkResult")]
public sealed record ReadMarkResult(
    [property: Id(0)] bool Moved,
    [property: Id(1)] ReadPosition Position);

/// <summary>
/// How far a user has read a room. Sequence numbers only grow across a room's epochs (a new epoch numbers past every
/// number handed out before), so a position from an earlier epoch still says which later messages are unread.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ReadPosition")]
public sealed record ReadPosition(
    [property: Id(0)] string Room,
    [property: Id(1)] string Epoch,
    [property: Id(2)] long Seq);

[GenerateSerializer, Immutable, Alias("OrleansChat.ReadPositionsQuery")]
public sealed record ReadPositionsQuery([property: Id(0)] Guid Owner);

[GenerateSerializer, Immutable, Alias("OrleansChat.ReadPositionList")]
public sealed record ReadPositionList([property: Id(0)] IReadOnlyList<ReadPosition> Positions)
{
    /// <summary>The room's read sequence number, or null when the user never marked it read.</summary>
    public long? SeqOf(string room) => Positions.FirstOrDefault(p => p.Room == room)?.Seq;
}
