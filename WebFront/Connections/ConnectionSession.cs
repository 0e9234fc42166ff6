namespace OrleansChat.WebFront.Connections;

/// <summary>
/// What a front remembers about one registered connection. The nickname grain is the authority; this copy saves a
/// grain call on every message and lets a disconnect take the connection out of its rooms. The hub works on it in
/// the connection's calls; the relay takes a room out of it when a moderator removes the member, so the rooms are
/// guarded by a lock.
/// </summary>
public sealed class ConnectionSession(
    string nickname, string nicknameKey, Guid sessionId, string resumeToken, string connectionId, long revision = 0)
{
    private readonly HashSet<string> _rooms = new(StringComparer.Ordinal);

    /// <summary>
    /// Rooms a moderator banned this user from that the connection has not been told of in a reply yet. Created on the
    /// first ban: a front holds tens of thousands of sessions, and almost none is ever banned.
    /// </summary>
    private HashSet<string>? _bannedFrom;

    private long _revision = revision;

    public string Nickname { get; } = nickname;

    public string NicknameKey { get; } = nicknameKey;

    public Guid SessionId { get; } = sessionId;

    public string ResumeToken { get; } = resumeToken;

    public string ConnectionId { get; } = connectionId;

    /// <summary>When this connection last announced typing, per room. Only the connection's own calls touch it.</summary>
    public Dictionary<string, long> LastTyping { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Rooms
    {
        get
        {
            lock (_rooms)
            {
                return [.. _rooms];
            }
        }
    }

    /// <summary>
    /// Moves the session's room revision this connection's rooms match (the nickname grain counts every join and leave)
    /// to <paramref name="revision"/>; false if it was there already, or past it: a change at or below it is already in.
    /// </summary>
    public bool Advance(long revision)
    {
        lock (_rooms)
        {
            if (revision <= _revision)
            {
                return false;
            }

            _revision = revision;
            return true;
        }
    }

    public bool IsIn(string room)
    {
        lock (_rooms)
        {
            return _rooms.Contains(room);
        }
    }

    public void Joined(string room)
    {
        lock (_rooms)
        {
            _rooms.Add(room);
        }
    }

    /// <summary>Forgets a room; true if the session was in it.</summary>
    public bool Left(string room)
    {
        lock (_rooms)
        {
            return _rooms.Remove(room);
        }
    }

    /// <summary>A moderator's ban took the user out of the room: its next call for the room hears why, once.</summary>
    public void Banned(string room)
    {
        lock (_rooms)
        {
            if (_rooms.Remove(room))
            {
                (_bannedFrom ??= new(StringComparer.Ordinal)).Add(room);
            }
        }
    }

    /// <summary>True (once) if a ban took the user out of the room since the connection last heard of it.</summary>
    public bool TakeBan(string room)
    {
        lock (_rooms)
        {
            return _bannedFrom?.Remove(room) == true;
        }
    }
}
