using System.Collections.Concurrent;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// The registered connections on this front, by nickname key. Room events reach a room's connections; this is how
/// an event aimed at one member (a kick, a ban) finds that member's session on whichever front holds it.
/// </summary>
public sealed class ConnectedUsers
{
    private readonly ConcurrentDictionary<string, ConnectionSession> _users = new(StringComparer.Ordinal);

    public void Add(ConnectionSession session) => _users[session.NicknameKey] = session;

    /// <summary>Forgets the session, unless the nickname has moved on to another connection meanwhile.</summary>
    public bool Remove(ConnectionSession session) =>
        _users.TryRemove(KeyValuePair.Create(session.NicknameKey, session));

    /// <summary>The session that holds a nickname on this front, if any.</summary>
    public ConnectionSession? Find(string nickname) => _users.GetValueOrDefault(ChatRules.KeyOf(nickname));
}
