using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.Tests.Unit.Grains;

public sealed class ChatRulesTests
{
    [Theory]
    [InlineData("ana", "ana")]
    [InlineData("  Ana Maria  ", "Ana Maria")]
    [InlineData("joão", "joão")]
    [InlineData("🦊 fox", "🦊 fox")]
    [InlineData("12345678901234567890123456789012", "12345678901234567890123456789012")]
    public void Accepts_valid_nicknames_trimmed(string input, string expected)
    {
        Assert.True(ChatRules.TryNormalizeNickname(input, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123456789012345678901234567890123")]
    [InlineData("ana\nmaria")]
    [InlineData("ana\u0000")]
    [InlineData("\u200B\u200B")]
    [InlineData("ana\u202Eevil")]
    public void Rejects_invalid_nicknames(string? input) =>
        Assert.False(ChatRules.TryNormalizeNickname(input, out _));

    /// <summary>Not an InlineData: attribute strings are stored as UTF-8, which cannot hold a lone surrogate.</summary>
    [Fact]
    public void Rejects_lone_surrogates()
    {
        Assert.False(ChatRules.TryNormalizeNickname("bad" + '\uD800', out _));
        Assert.False(ChatRules.TryNormalizeMessage("lone " + '\uDC00' + " surrogate", out _));
        Assert.False(ChatRules.TryNormalizeMessage("reversed " + '\uDC00' + '\uD800', out _));
    }

    [Fact]
    public void Counts_characters_not_utf16_units()
    {
        var foxes = string.Concat(Enumerable.Repeat("🦊", 32));
        Assert.True(ChatRules.TryNormalizeNickname(foxes, out _));
        Assert.False(ChatRules.TryNormalizeNickname(foxes + "🦊", out _));
    }

    [Theory]
    [InlineData("olá", "olá")]
    [InlineData("  line one\r\nline two  ", "line one\nline two")]
    [InlineData("family 👨‍👩‍👧", "family 👨‍👩‍👧")]
    public void Accepts_valid_messages_normalized(string input, string expected)
    {
        Assert.True(ChatRules.TryNormalizeMessage(input, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \n ")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    public void Rejects_invalid_messages(string? input) =>
        Assert.False(ChatRules.TryNormalizeMessage(input, out _));

    [Fact]
    public void Message_length_limit_is_2000_characters()
    {
        Assert.True(ChatRules.TryNormalizeMessage(new string('a', 2000), out _));
        Assert.False(ChatRules.TryNormalizeMessage(new string('a', 2001), out _));
        Assert.False(ChatRules.TryNormalizeMessage(new string('a', 1_000_000), out _));
    }

    [Theory]
    [InlineData("pаypal")]
    [InlineData("Αlice")]
    [InlineData("adminо")]
    public void Nicknames_mixing_look_alike_scripts_are_refused(string spoof) =>
        Assert.False(ChatRules.TryNormalizeNickname(spoof, out _));

    [Theory]
    [InlineData("Дмитрий")]
    [InlineData("Αλέξης")]
    [InlineData("José")]
    [InlineData("山田 taro")]
    public void Nicknames_in_one_script_are_accepted(string nickname) =>
        Assert.True(ChatRules.TryNormalizeNickname(nickname, out _));

    [Fact]
    public void Full_width_nicknames_collide_with_their_plain_form() =>
        Assert.Equal(ChatRules.KeyOf("ana"), ChatRules.KeyOf("ＡＮＡ"));

    [Fact]
    public void Bidi_overrides_are_refused_in_messages_but_isolates_and_marks_are_kept()
    {
        Assert.False(ChatRules.TryNormalizeMessage("evil \u202Etxt.exe", out _));
        Assert.True(ChatRules.TryNormalizeMessage("name: \u2067שלום\u2069 ok \u200F", out _));
    }

    [Fact]
    public void Nickname_keys_ignore_case()
    {
        Assert.Equal(ChatRules.KeyOf("Ana"), ChatRules.KeyOf("aNA"));
        Assert.NotEqual(ChatRules.KeyOf("Ana"), ChatRules.KeyOf("Anna"));
    }

    [Theory]
    [InlineData("@bia olá", new[] { "bia" })]
    [InlineData("olá @bia, @Caio! e (@dani) \"@eva\"", new[] { "bia", "Caio", "dani", "eva" })]
    [InlineData("@bia @BIA @ｂｉａ", new[] { "bia" })]
    [InlineData("ana@example.com e x@y", new string[0])]
    [InlineData("@ sozinho, @, e @…", new string[0])]
    [InlineData("linha\n@bia", new[] { "bia" })]
    [InlineData("@this-name-is-far-too-long-to-be-a-nickname-at-all", new string[0])]
    public void Mentions_are_at_names_after_a_space_without_closing_punctuation(string text, string[] expected)
    {
        Assert.Equal(expected, ChatRules.MentionedNames(text));
    }

    [Fact]
    public void A_message_mentions_at_most_twenty_names_and_a_long_run_of_ats_costs_little()
    {
        var many = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"@n{i}"));
        var ats = new string('@', ChatRules.MaxMessageLength);

        Assert.Equal(Enumerable.Range(0, ChatRules.MaxMentions).Select(i => $"n{i}"), ChatRules.MentionedNames(many));
        Assert.Empty(ChatRules.MentionedNames(ats));
    }

    [Theory]
    [InlineData("@lobby")]
    [InlineData("  @Lobby")]
    [InlineData("＠lobby")]
    [InlineData("@abcdefghijklmnopqrstuvwxyz")]
    public void Public_room_names_cannot_start_with_the_conversation_mark(string name) =>
        Assert.False(ChatRules.TryNormalizeRoom(name, out _));

    [Theory]
    [InlineData("@abcdefghijklmnopqrstuvwxyz", true)]
    [InlineData("@234567abcdefghijklmnopqrst", true)]
    [InlineData("@ABCDEFGHIJKLMNOPQRSTUVWXYZ", false)]
    [InlineData("@abcdefghijklmnopqrstuvwxy", false)]
    [InlineData("@abcdefghijklmnopqrstuvwxyz2", false)]
    [InlineData("@abcdefghijklmnopqrstuvwxy1", false)]
    [InlineData(" @abcdefghijklmnopqrstuvwxyz", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyza", false)]
    [InlineData(null, false)]
    public void A_conversation_name_is_the_mark_and_26_lower_case_base32_characters(string? name, bool conversation) =>
        Assert.Equal(conversation, ChatRules.IsConversation(name));
}
