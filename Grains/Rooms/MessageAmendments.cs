using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// What an edit, a delete or a reaction makes of a message: its whole new state, or why not. Pure, so the rules are
/// tested without a room. A request that asks for what the message already is returns <see cref="AmendStatus.Done"/>
/// with no new state: nothing is stored, and a retry is answered as the first try was.
/// </summary>
public static class MessageAmendments
{
    /// <summary>The author's new text, with its mentions worked out again.</summary>
    public static Amendment Edit(MessagePosted message, string byKey, Guid owner, string text, IReadOnlyList<string>? mentions, DateTimeOffset now) =>
        message.Deleted ? Amendment.Refused(AmendStatus.NotFound)
        : !IsAuthor(message, byKey, owner) ? Amendment.Refused(AmendStatus.NotAuthor)
        : message.Text == text ? Amendment.Unchanged
        : Amendment.To(message with { Text = text, Mentions = mentions, EditedAt = now });

    /// <summary>A tombstone: the number, author and time stay; the text, mentions and reactions go.</summary>
    public static Amendment Delete(MessagePosted message, string byKey, Guid owner, bool moderator) =>
        message.Deleted ? Amendment.Unchanged
        : !moderator && !IsAuthor(message, byKey, owner) ? Amendment.Refused(AmendStatus.NotAuthor)
        : Amendment.To(message with { Text = string.Empty, Mentions = null, Reactions = null, Deleted = true });

    /// <summary>
    /// Puts <paramref name="emoji"/> on the message for <paramref name="nickname"/>, or takes it off. Reactions are
    /// listed in <see cref="ChatRules.Reactions"/>' order, each with its members in the order they reacted.
    /// </summary>
    public static Amendment React(MessagePosted message, string nickname, string emoji, bool on)
    {
        if (message.Deleted)
        {
            return Amendment.Refused(AmendStatus.NotFound);
        }

        var key = ChatRules.KeyOf(nickname);
        var reactions = message.Reactions ?? [];
        var mine = reactions.Where(r => r.By.Any(name => ChatRules.KeyOf(name) == key)).Select(r => r.Emoji).ToList();
        if (mine.Contains(emoji) == on)
        {
            return Amendment.Unchanged;
        }

        if (on && (mine.Count >= ChatRules.MaxReactionsPerMember || reactions.Sum(r => r.By.Count) >= ChatRules.MaxReactionsPerMessage))
        {
            return Amendment.Refused(AmendStatus.TooManyReactions);
        }

        var changed = new List<MessageReaction>(reactions.Count + 1);
        foreach (var symbol in ChatRules.Reactions)
        {
            var by = reactions.FirstOrDefault(r => r.Emoji == symbol)?.By ?? [];
            if (symbol == emoji)
            {
                by = on ? [.. by, nickname] : [.. by.Where(name => ChatRules.KeyOf(name) != key)];
            }

            if (by.Count > 0)
            {
                changed.Add(new MessageReaction(symbol, by));
            }
        }

        return Amendment.To(message with { Reactions = changed.Count > 0 ? changed : null });
    }

    /// <summary>
    /// The same owner under the same nickname: a signed-in user's account on any device, or an anonymous user's own
    /// session. Messages stored before they had an owner belong to nobody.
    /// </summary>
    private static bool IsAuthor(MessagePosted message, string byKey, Guid owner) =>
        message.Owner == owner && ChatRules.KeyOf(message.Nickname) == byKey;
}
