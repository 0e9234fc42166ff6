namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// One emoji on a message (<see cref="Rules.ChatRules.Reactions"/>) and the members who reacted with it, in the order
/// they did; an emoji nobody reacts with any more is not listed.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MessageReaction")]
public sealed record MessageReaction(
    [property: Id(0)] string Emoji,
    [property: Id(1)] IReadOnlyList<string> By);
