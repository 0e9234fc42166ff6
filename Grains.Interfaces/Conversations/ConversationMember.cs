using OrleansChat.Grains.Interfaces.Reading;

namespace OrleansChat.Grains.Interfaces.Conversations;

/// <summary>
/// One participant of a direct conversation: an owner, as read positions have one (<see cref="ReadOwner"/>), not a
/// nickname. <see cref="Owner"/> is the session id while nicknames are anonymous, so whoever takes a freed nickname
/// later is someone else and never sees the conversation; it is <see cref="ReadOwner.Account"/> when sign-in is
/// required, and every session of the account is the participant. <see cref="Nickname"/> is how the participant was
/// named when the conversation was opened.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ConversationMember")]
public sealed record ConversationMember(
    [property: Id(0)] string Nickname,
    [property: Id(1)] string UserKey,
    [property: Id(2)] Guid Owner)
{
    /// <summary>Whether a session of the nickname keyed <paramref name="userKey"/> is this participant.</summary>
    public bool Is(string userKey, Guid sessionId) =>
        UserKey == userKey && (Owner == ReadOwner.Account || Owner == sessionId);
}

/// <summary>A conversation's participants, fixed when it was opened; none when no conversation has this name.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ConversationMembers")]
public sealed record ConversationMembers([property: Id(0)] IReadOnlyList<ConversationMember> Members)
{
    public bool Exists => Members.Count > 0;

    public bool Admits(string userKey, Guid sessionId) => Members.Any(m => m.Is(userKey, sessionId));
}
