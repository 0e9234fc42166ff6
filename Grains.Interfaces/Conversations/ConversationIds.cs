using System.Security.Cryptography;
using System.Text;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.Grains.Interfaces.Conversations;

/// <summary>
/// The room names of direct conversations (<see cref="ChatRules.IsConversation"/>): a pair's is derived from its two
/// owners, so opening it again finds the same conversation; a group's is random, so each group is new. Both are
/// 130 bits, too many to guess.
/// </summary>
public static class ConversationIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>The conversation of two participants, the same whichever of them opens it.</summary>
    public static string Pair(ConversationMember one, ConversationMember other)
    {
        var owners = new[] { OwnerText(one), OwnerText(other) };
        Array.Sort(owners, StringComparer.Ordinal);
        return Name(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', owners))));
    }

    /// <summary>A new group conversation's name.</summary>
    public static string NewGroup() => Name(RandomNumberGenerator.GetBytes(17));

    private static string OwnerText(ConversationMember member) => $"{member.UserKey}\n{member.Owner:N}";

    /// <summary>The mark, then the first 130 bits of <paramref name="bytes"/> in base32.</summary>
    private static string Name(ReadOnlySpan<byte> bytes)
    {
        var name = new StringBuilder(ChatRules.ConversationIdLength + 1).Append(ChatRules.ConversationMark);
        for (var bit = 0; name.Length <= ChatRules.ConversationIdLength; bit += 5)
        {
            var at = bit / 8;
            var pair = (bytes[at] << 8) | (at + 1 < bytes.Length ? bytes[at + 1] : 0);
            name.Append(Alphabet[(pair >> (11 - (bit % 8))) & 31]);
        }

        return name.ToString();
    }
}
