using System.Collections.Concurrent;
using System.Collections.Immutable;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// The registered connections on this front, by nickname key: a user may have several (tabs, devices). Room events
/// reach a room's connections; this is how an event aimed at one user (a kick, a ban, a room joined on another
/// device) finds that user's connections here.
/// </summary>
public sealed class ConnectedUsers
{
    private readonly ConcurrentDictionary<string, ImmutableArray<ConnectionSession>> _users = new(StringComparer.Ordinal);

    public void Add(ConnectionSession session) =>
        _users.AddOrUpdate(session.NicknameKey, [session], (_, sessions) => sessions.Contains(session) ? sessions : sessions.Add(session));

    /// <summary>Forgets one connection's session; false if it was not here (already removed).</summary>
    public bool Remove(ConnectionSession session)
    {
        while (_users.TryGetValue(session.NicknameKey, out var sessions))
        {
            if (!sessions.Contains(session))
            {
                return false;
            }

            var left = sessions.Remove(session);
            var done = left.IsEmpty
                ? _users.TryRemove(KeyValuePair.Create(session.NicknameKey, sessions))
                : _users.TryUpdate(session.NicknameKey, left, sessions);
            if (done)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The sessions of every connection of a nickname on this front; empty if none.</summary>
    public ImmutableArray<ConnectionSession> Find(string nickname) => FindByKey(ChatRules.KeyOf(nickname));

    /// <summary>Like <see cref="Find"/>, by nickname key.</summary>
    public ImmutableArray<ConnectionSession> FindByKey(string nicknameKey) =>
        _users.TryGetValue(nicknameKey, out var sessions) ? sessions : [];
}
