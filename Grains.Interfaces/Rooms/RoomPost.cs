using OrleansChat.Grains.Interfaces.Events;

namespace OrleansChat.Grains.Interfaces.Rooms;

[GenerateSerializer, Immutable, Alias("OrleansChat.PostRequest")]
public sealed record PostRequest(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] string Nickname,
    [property: Id(2)] Guid SessionId,
    [property: Id(3)] string Text);

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
