using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Interfaces.Rooms;

/// <param name="SeenSeq">
/// The highest sequence number of the room the calling front has delivered. Above what the room has stored, it shows
/// that the store came back older than what was published, and the room numbers this post past it.
/// </param>
[GenerateSerializer, Immutable, Alias("OrleansChat.PostRequest")]
public sealed record PostRequest(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] string Text,
    [property: Id(4)] long SeenSeq = 0);

[Alias("OrleansChat.PostStatus")]
public enum PostStatus
{
    Posted,
    InvalidMessage,
    NotMember,
    Banned,
}

[GenerateSerializer, Immutable, Alias("OrleansChat.PostResult")]
public sealed record PostResult(
    [property: Id(0)] PostStatus Status,
    [property: Id(1)] MessagePosted? Message);
