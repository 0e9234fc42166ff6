using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Interfaces.Rooms;

/// <param name="SeenSeq">
/// The highest sequence number of the room the calling front has delivered. Above what the room has stored, it shows
/// that the store came back older than what was published, and the room numbers this post past it.
/// </param>
/// <param name="AfterSeq">
/// For a message id the client chose: the room's last sequence number the client had seen when it wrote the message.
/// An earlier post with this id would be numbered after it, so if the room can no longer recognise ids that far back
/// it refuses (<see cref="PostStatus.TooLate"/>) rather than risk storing the message twice. Null for ids the front
/// made up, which are never repeated after the front's own call.
/// </param>
/// <param name="Owner">Whose message it is (<see cref="MessagePosted.Owner"/>): what lets its author edit it later.</param>
[GenerateSerializer, Immutable, Alias("OrleansChat.PostRequest")]
public sealed record PostRequest(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] string Text,
    [property: Id(4)] long SeenSeq = 0,
    [property: Id(5)] long? AfterSeq = null,
    [property: Id(6)] Guid? Owner = null);

[Alias("OrleansChat.PostStatus")]
public enum PostStatus
{
    Posted,
    InvalidMessage,
    NotMember,
    Banned,

    /// <summary>The message id is another member's message.</summary>
    IdTaken,

    /// <summary>A post with this id may be older than the ids the room still recognises (<see cref="PostRequest.AfterSeq"/>).</summary>
    TooLate,
}

[GenerateSerializer, Immutable, Alias("OrleansChat.PostResult")]
public sealed record PostResult(
    [property: Id(0)] PostStatus Status,
    [property: Id(1)] MessagePosted? Message);
