using System.Collections.Concurrent;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// What a front remembers about one registered connection, kept in the connection's <c>Context.Items</c>. The
/// nickname grain is the authority; this copy saves a grain call on every message and lets a disconnect release
/// the connection's room subscriptions.
/// </summary>
public sealed class ConnectionSession(string nickname, string nicknameKey, Guid sessionId, string resumeToken)
{
    public string Nickname { get; } = nickname;

    public string NicknameKey { get; } = nicknameKey;

    public Guid SessionId { get; } = sessionId;

    public string ResumeToken { get; } = resumeToken;

    public HashSet<string> Rooms { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Rooms an administrator banned this user from, reported by the relay from another thread. The hub owns
    /// <see cref="Rooms"/> and settles each one on the connection's next call for that room. Created on the first
    /// ban: a front holds tens of thousands of sessions, and almost none is ever banned.
    /// </summary>
    private ConcurrentDictionary<string, bool>? _bannedFrom;

    public void MarkBanned(string room) =>
        LazyInitializer.EnsureInitialized(ref _bannedFrom, () => new(StringComparer.Ordinal))[room] = true;

    /// <summary>True (once) if the user was banned from the room and the hub has not settled it yet.</summary>
    public bool TakeBan(string room) => Volatile.Read(ref _bannedFrom)?.TryRemove(room, out _) == true;

    /// <summary>When this connection last announced typing, per room.</summary>
    public Dictionary<string, long> LastTyping { get; } = new(StringComparer.Ordinal);
}
