using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Rooms;

namespace OrleansChat.Tests.Unit.Grains;

/// <summary>What an edit, a delete and a reaction make of a message, and when they are refused.</summary>
public sealed class MessageAmendmentsTests
{
    private static readonly Guid AnaSession = Guid.NewGuid();
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddDays(1);

    private static readonly MessagePosted Message = new(
        "lobby", DateTimeOffset.UnixEpoch, Guid.NewGuid(), 7, "Ana", "helo", Mentions: ["bia"], Owner: AnaSession);

    [Fact]
    public void Only_the_same_owner_under_the_same_nickname_edits_and_the_same_text_changes_nothing()
    {
        var edited = MessageAmendments.Edit(Message, ChatRules.KeyOf("ana"), AnaSession, "hello", null, Now);

        Assert.Equal(AmendStatus.Done, edited.Status);
        Assert.Equal(("hello", Now, null as IReadOnlyList<string>, 7L), (edited.Changed!.Text, edited.Changed.EditedAt, edited.Changed.Mentions, edited.Changed.Seq));
        Assert.Equal(new Amendment(AmendStatus.Done, null), MessageAmendments.Edit(Message, ChatRules.KeyOf("ANA"), AnaSession, "helo", null, Now));
        // A stranger who took the freed nickname, someone else, and a message stored before messages had owners.
        Assert.Equal(AmendStatus.NotAuthor, MessageAmendments.Edit(Message, ChatRules.KeyOf("ana"), Guid.NewGuid(), "x", null, Now).Status);
        Assert.Equal(AmendStatus.NotAuthor, MessageAmendments.Edit(Message, ChatRules.KeyOf("bia"), AnaSession, "x", null, Now).Status);
        Assert.Equal(AmendStatus.NotAuthor, MessageAmendments.Edit(Message with { Owner = null }, ChatRules.KeyOf("ana"), AnaSession, "x", null, Now).Status);
    }

    [Fact]
    public void A_delete_leaves_a_tombstone_once_and_a_moderator_deletes_anyone_s()
    {
        var reacted = Message with { Reactions = [new MessageReaction("👍", ["bia"])] };

        var deleted = MessageAmendments.Delete(reacted, ChatRules.KeyOf("bia"), Guid.NewGuid(), moderator: true).Changed!;

        Assert.Equal((true, "", null as IReadOnlyList<string>, null as IReadOnlyList<MessageReaction>, "Ana"), (
            deleted.Deleted, deleted.Text, deleted.Mentions, deleted.Reactions, deleted.Nickname));
        Assert.Equal(AmendStatus.NotAuthor, MessageAmendments.Delete(Message, ChatRules.KeyOf("bia"), AnaSession, moderator: false).Status);
        Assert.Equal(new Amendment(AmendStatus.Done, null), MessageAmendments.Delete(deleted, ChatRules.KeyOf("ana"), AnaSession, moderator: false));
        Assert.Equal(AmendStatus.NotFound, MessageAmendments.Edit(deleted, ChatRules.KeyOf("ana"), AnaSession, "x", null, Now).Status);
        Assert.Equal(AmendStatus.NotFound, MessageAmendments.React(deleted, "bia", "👍", on: true).Status);
    }

    [Fact]
    public void Reactions_are_listed_in_the_set_s_order_with_members_in_the_order_they_reacted()
    {
        var message = Message;
        foreach (var (who, emoji) in new[] { ("bia", "🎉"), ("caio", "👍"), ("Ana", "👍") })
        {
            message = MessageAmendments.React(message, who, emoji, on: true).Changed!;
        }

        Assert.Equal([("👍", "caio,Ana"), ("🎉", "bia")], message.Reactions!.Select(r => (r.Emoji, string.Join(',', r.By))));
        Assert.Equal(new Amendment(AmendStatus.Done, null), MessageAmendments.React(message, "ANA", "👍", on: true));
        Assert.Equal(new Amendment(AmendStatus.Done, null), MessageAmendments.React(message, "bia", "👍", on: false));
        var off = MessageAmendments.React(message, "BIA", "🎉", on: false).Changed!;
        Assert.Equal([("👍", "caio,Ana")], off.Reactions!.Select(r => (r.Emoji, string.Join(',', r.By))));
        Assert.Null(MessageAmendments.React(MessageAmendments.React(Message, "bia", "😢", on: true).Changed!, "bia", "😢", on: false).Changed!.Reactions);
    }

    [Fact]
    public void Reactions_are_bounded_per_member_and_per_message()
    {
        var message = Message;
        foreach (var emoji in ChatRules.Reactions.Take(ChatRules.MaxReactionsPerMember))
        {
            message = MessageAmendments.React(message, "bia", emoji, on: true).Changed!;
        }

        Assert.Equal(AmendStatus.TooManyReactions, MessageAmendments.React(message, "bia", ChatRules.Reactions[^1], on: true).Status);
        Assert.Equal(AmendStatus.Done, MessageAmendments.React(message, "bia", ChatRules.Reactions[0], on: false).Status);

        var crowded = Message with
        {
            Reactions = [new MessageReaction("👍", [.. Enumerable.Range(0, ChatRules.MaxReactionsPerMessage).Select(i => $"m{i}")])],
        };
        Assert.Equal(AmendStatus.TooManyReactions, MessageAmendments.React(crowded, "bia", "👍", on: true).Status);
        Assert.Equal(AmendStatus.Done, MessageAmendments.React(crowded, "m3", "👍", on: false).Status);
    }
}
