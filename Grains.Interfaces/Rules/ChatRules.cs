using System.Buffers;
using System.Globalization;
using System.Text;

namespace OrleansChat.Grains.Interfaces.Rules;

/// <summary>
/// The one place that decides what a valid nickname, room name and message are. The hub checks first so a bad call
/// never reaches a grain; the grain checks again because it must never trust its callers.
/// </summary>
public static class ChatRules
{
    public const int MaxNicknameLength = 32;
    public const int MaxMessageLength = 2000;

    /// <summary>The room every client of the original protocol talks in.</summary>
    public const string DefaultRoom = "geral";

    /// <summary>
    /// Trims and checks a nickname: 1–32 characters, no control, format or separator-line characters, and letters
    /// from at most one of the Latin, Greek and Cyrillic scripts, whose look-alikes ("а" and "a") would let one user
    /// pose as another.
    /// </summary>
    public static bool TryNormalizeNickname(string? nickname, out string normalized) =>
        TryNormalizeName(nickname, out normalized);

    /// <summary>
    /// Public room names follow the nickname rules and are case-insensitive: "Geral" and "geral" are one room, named in
    /// lower case. A leading <see cref="ConversationMark"/> (after normalisation, so a full-width "＠" too) is refused:
    /// it is reserved for direct conversations (<see cref="IsConversation"/>), so no public room can stand in for one.
    /// </summary>
    public static bool TryNormalizeRoom(string? room, out string normalized)
    {
        var valid = TryNormalizeName(room, out normalized);
        normalized = normalized.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        return valid && !normalized.StartsWith(ConversationMark);
    }

    /// <summary>What every direct conversation's room name starts with, and no public room's does.</summary>
    public const char ConversationMark = '@';

    /// <summary>Characters after <see cref="ConversationMark"/> in a conversation's name: 130 bits in base32.</summary>
    public const int ConversationIdLength = 26;

    /// <summary>
    /// Whether <paramref name="room"/> is a direct conversation's name exactly as the server makes them
    /// (<c>ConversationIds</c>): <see cref="ConversationMark"/> and <see cref="ConversationIdLength"/> lower-case base32
    /// characters (a–z, 2–7).
    /// </summary>
    public static bool IsConversation(string? room) =>
        room is { Length: ConversationIdLength + 1 }
        && room[0] == ConversationMark
        && !room.AsSpan(1).ContainsAnyExcept(ConversationAlphabet);

    private static readonly SearchValues<char> ConversationAlphabet = SearchValues.Create("abcdefghijklmnopqrstuvwxyz234567");

    /// <summary>
    /// Trims and checks a message: 1–2000 characters, no control characters other than newline. CR LF and lone CR
    /// become LF so every client renders the same text.
    /// </summary>
    public static bool TryNormalizeMessage(string? text, out string normalized)
    {
        normalized = string.Empty;
        if (text is null || text.Length > MaxMessageLength * 2 + 16)
        {
            return false;
        }

        var unified = text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;
        var trimmed = unified.Trim();
        if (!IsWellFormed(trimmed, allowNewline: true, allowFormat: true, out var length)
            || length is 0 or > MaxMessageLength
            || trimmed.AsSpan().IndexOfAnyInRange('\u202A', '\u202E') >= 0)
        {
            return false;
        }

        normalized = trimmed;
        return true;
    }

    /// <summary>The most mentions one message carries; later ones are plain text.</summary>
    public const int MaxMentions = 20;

    /// <summary>
    /// The names a message mentions: each <c>@name</c> at the start of the text or after a space or an opening bracket
    /// or quote, up to the next space, without the punctuation that ends a sentence or closes a bracket
    /// ("@bia, olá" mentions "bia"; "ana@example.com" mentions nobody). Only valid nicknames, each once by
    /// <see cref="KeyOf"/>, at most <see cref="MaxMentions"/>. A nickname with a space in it cannot be mentioned.
    /// </summary>
    public static IReadOnlyList<string> MentionedNames(string text)
    {
        List<string>? names = null;
        for (var at = text.IndexOf('@'); at >= 0 && (names?.Count ?? 0) < MaxMentions; at = text.IndexOf('@', at + 1))
        {
            if (at > 0 && !char.IsWhiteSpace(text[at - 1]) && "([{\"'«“".IndexOf(text[at - 1]) < 0)
            {
                continue;
            }

            // No nickname is longer than this, so a long run of text is not scanned again from each '@' in it.
            var end = at + 1;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && end - at <= (MaxNicknameLength * 2) + 8)
            {
                end++;
            }

            var name = text[(at + 1)..end].TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'', '»', '”', '…');
            if (TryNormalizeNickname(name, out var nickname)
                && !(names ??= []).Exists(known => KeyOf(known) == KeyOf(nickname)))
            {
                names.Add(nickname);
            }
        }

        return names ?? [];
    }

    /// <summary>The emoji a member can react with: a small fixed set, so reactions stay a count, not a second chat.</summary>
    public static readonly IReadOnlyList<string> Reactions = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

    /// <summary>The most reactions one member puts on one message.</summary>
    public const int MaxReactionsPerMember = 3;

    /// <summary>The most reactions one message holds, all members and emoji together: a message's size stays bounded.</summary>
    public const int MaxReactionsPerMessage = 100;

    /// <summary>Whether <paramref name="emoji"/> is one of <see cref="Reactions"/>, exactly.</summary>
    public static bool IsReaction(string? emoji) => emoji is not null && Reactions.Contains(emoji, StringComparer.Ordinal);

    /// <summary>
    /// The key two nicknames collide on: compatibility-normalized (full-width "ａｎａ" is "ana"), then without case.
    /// </summary>
    public static string KeyOf(string normalizedName) =>
        normalizedName.Normalize(NormalizationForm.FormKC).ToUpperInvariant();

    private static bool TryNormalizeName(string? name, out string normalized)
    {
        normalized = string.Empty;
        if (name is null || name.Length > MaxNicknameLength * 2 + 16)
        {
            return false;
        }

        var trimmed = name.Trim();
        if (!IsWellFormed(trimmed, allowNewline: false, allowFormat: false, out var length)
            || length is 0 or > MaxNicknameLength
            || MixesConfusableScripts(trimmed))
        {
            return false;
        }

        normalized = trimmed;
        return true;
    }

    /// <summary>Whether the letters come from more than one of Latin, Greek and Cyrillic.</summary>
    private static bool MixesConfusableScripts(string name)
    {
        var scripts = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (!Rune.IsLetter(rune))
            {
                continue;
            }

            scripts |= rune.Value switch
            {
                <= 0x024F or (>= 0x1E00 and <= 0x1EFF) => 1,
                (>= 0x0370 and <= 0x03FF) or (>= 0x1F00 and <= 0x1FFF) => 2,
                >= 0x0400 and <= 0x052F => 4,
                _ => 0,
            };
        }

        return scripts is not (0 or 1 or 2 or 4);
    }

    /// <summary>
    /// Counts Unicode scalar values (what a user calls characters) and rejects lone surrogates and control characters.
    /// Format characters (zero-width joiners, bidi overrides) are refused in names, where they let one user pose as
    /// another, and allowed in messages, where emoji sequences need them.
    /// </summary>
    private static bool IsWellFormed(string value, bool allowNewline, bool allowFormat, out int length)
    {
        length = 0;
        var index = 0;
        while (index < value.Length)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var consumed) != OperationStatus.Done)
            {
                return false;
            }

            var category = Rune.GetUnicodeCategory(rune);
            var allowed = category switch
            {
                UnicodeCategory.Control => allowNewline && rune.Value == '\n',
                UnicodeCategory.Format => allowFormat,
                UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
                UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => allowFormat,
                _ => true,
            };
            if (!allowed)
            {
                return false;
            }

            index += consumed;
            length++;
        }

        return true;
    }
}
