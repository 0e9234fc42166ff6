using System.Collections.Concurrent;

namespace OrleansChat.WebFront.Hubs;

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
    /// <see cref="Rooms"/> and settles each one on the connection's next call for that room.
    /// </summary>
    public ConcurrentDictionary<string, bool> BannedFrom { get; } = new(StringComparer.Ordinal);

    /// <summary>When this connection last announced typing, per room.</summary>
    public Dictionary<string, long> LastTyping { get; } = new(StringComparer.Ordinal);
}
