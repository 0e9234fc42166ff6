using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Interfaces.Rooms;

/// <summary>The author changes the text of their message <see cref="Seq"/>.</summary>
/// <param name="Owner">The caller's owner (<see cref="MessagePosted.Owner"/>): only the message's own owner may edit it.</param>
[GenerateSerializer, Immutable, Alias("OrleansChat.EditRequest")]
public sealed record EditRequest(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] Guid Owner,
    [property: Id(4)] string Text);

/// <summary>
/// Message <see cref="Seq"/> becomes a tombstone: it keeps its number, its author and its place, and loses its text,
/// mentions and reactions. The author deletes their own; an administrator (<see cref="Moderator"/> set, checked by
/// the caller) deletes any, without being a member.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.DeleteRequest")]
public sealed record DeleteRequest(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] Guid Owner,
    [property: Id(4)] string? Moderator = null);

/// <summary>A member puts <see cref="Emoji"/> on message <see cref="Seq"/> (<see cref="On"/>) or takes it off.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.ReactRequest")]
public sealed record ReactRequest(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] string Emoji,
    [property: Id(4)] bool On);

[Alias("OrleansChat.AmendStatus")]
public enum AmendStatus
{
    /// <summary>The message is as asked, by this amendment or because it already was (a retry changes nothing).</summary>
    Done,

    /// <summary>No message with that number in the room: never was, deleted, past retention, or not yet stored.</summary>
    NotFound,

    /// <summary>Someone else's message.</summary>
    NotAuthor,
    NotMember,
    Banned,
    InvalidMessage,
    InvalidReaction,

    /// <summary>The member's reactions on the message, or the message's, are at their limit.</summary>
    TooManyReactions,
}

/// <param name="Message">On <see cref="AmendStatus.Done"/>: the message as it now is.</param>
[GenerateSerializer, Immutable, Alias("OrleansChat.AmendResult")]
public sealed record AmendResult(
    [property: Id(0)] AmendStatus Status,
    [property: Id(1)] MessagePosted? Message);
