using OrleansChat.Grains.Interfaces.Reading;

namespace OrleansChat.Grains.Reading;

/// <summary>
/// What moves a user's read positions, over their stored state: a position only goes forward, belongs to one owner
/// (a mark from another owner starts the state over), and at most <paramref name="capacity"/> rooms are kept (the one
/// marked longest ago makes room). Every decision costs the same whatever the rooms' histories hold.
/// </summary>
public sealed class ReadPositions(ReadPositionsState state, int capacity)
{
    public ReadPositionsState State => state;

    /// <summary>
    /// Whether the mark moves its room's position. Within one epoch only a higher number does. In another epoch any
    /// number does: the room's numbering started over (its store was lost or went back), and the front checked the
    /// number against the room's current epoch.
    /// </summary>
    public bool Advances(ReadMark mark)
    {
        if (mark.Seq <= 0)
        {
            return false;
        }

        if (mark.Owner != state.Owner || !state.Rooms.TryGetValue(mark.Room, out var read))
        {
            return true;
        }

        return read.Epoch != mark.Epoch || mark.Seq > read.Seq;
    }

    /// <summary>Moves the room's position to the mark, which <see cref="Advances"/> said it does.</summary>
    public ReadPosition Apply(ReadMark mark, DateTimeOffset now)
    {
        if (mark.Owner != state.Owner)
        {
            state.Owner = mark.Owner;
            state.Rooms.Clear();
        }

        state.Rooms[mark.Room] = new RoomReadState { Epoch = mark.Epoch, Seq = mark.Seq, MarkedAt = now };
        if (state.Rooms.Count > capacity)
        {
            var oldest = state.Rooms.MinBy(r => r.Value.MarkedAt).Key;
            state.Rooms.Remove(oldest);
        }

        return new ReadPosition(mark.Room, mark.Epoch, mark.Seq);
    }

    /// <summary>The room's position for <paramref name="owner"/>; null when that owner never marked it.</summary>
    public ReadPosition? Of(Guid owner, string room) =>
        owner == state.Owner && state.Rooms.TryGetValue(room, out var read) ? new ReadPosition(room, read.Epoch, read.Seq) : null;

    /// <summary>Every room's position, if they are <paramref name="owner"/>'s; none otherwise.</summary>
    public IReadOnlyList<ReadPosition> All(Guid owner) =>
        owner == state.Owner ? [.. state.Rooms.Select(r => new ReadPosition(r.Key, r.Value.Epoch, r.Value.Seq))] : [];
}
