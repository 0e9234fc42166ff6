namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Decides when one room's joins and leaves go out to this front's connections. A change after a quiet window goes
/// out at once, so a small room feels immediate; changes that follow within the window are held and go out together
/// when it ends. A room filling up at hundreds of joins a second then costs each connection one event per window,
/// not one per join. Not thread-safe: the relay calls it under the room's gate.
/// </summary>
public sealed class PresenceWindow(TimeSpan window, TimeProvider time)
{
    private readonly List<HeldPresence> _held = [];
    private long _closesAt = long.MinValue;

    public bool HasHeld => _held.Count > 0;

    /// <summary>
    /// True when <paramref name="change"/> may go out now (and opens a window). Otherwise it is held; then
    /// <paramref name="flushIn"/> is set on the first change held, saying when the caller must <see cref="Release"/>.
    /// </summary>
    public bool Admit(HeldPresence change, out TimeSpan? flushIn)
    {
        flushIn = null;
        var now = time.GetTimestamp();
        if (_held.Count == 0 && now >= _closesAt)
        {
            _closesAt = Close(now);
            return true;
        }

        _held.Add(change);
        if (_held.Count == 1)
        {
            flushIn = _closesAt > now ? time.GetElapsedTime(now, _closesAt) : TimeSpan.Zero;
        }

        return false;
    }

    /// <summary>Takes every held change, in order, and starts a new window.</summary>
    public IReadOnlyList<HeldPresence> Release()
    {
        if (_held.Count == 0)
        {
            return [];
        }

        var released = _held.ToArray();
        _held.Clear();
        _closesAt = Close(time.GetTimestamp());
        return released;
    }

    private long Close(long now) => now + (long)(window.TotalSeconds * time.TimestampFrequency);
}

/// <summary>A join or leave waiting in a <see cref="PresenceWindow"/>, with the room's member count after it.</summary>
public sealed record HeldPresence(string Nickname, string Kind, int MemberCount);
