namespace OrleansChat.Grains;

/// <summary>
/// One chat room, keyed by its name. Holds the members (nickname and the connection it belongs to), numbers the
/// messages, and publishes every room event on the room's stream (<see cref="ChatStreams.ForRoom"/>).
/// </summary>
[Alias("OrleansChat.IChatRoomGrain")]
public interface IChatRoomGrain : IGrainWithStringKey
{
    /// <summary>Adds a member. Idempotent for the same connection, so a retried call cannot fail on itself.</summary>
    [Alias("Join")]
    Task<JoinResult> Join(JoinRequest request);

    /// <summary>Removes a member if it still belongs to the given connection; otherwise does nothing.</summary>
    [Alias("Leave")]
    Task Leave(LeaveRequest request);

    /// <summary>
    /// Accepts a message from a member and publishes it. Idempotent on <see cref="PostRequest.MessageId"/>: a
    /// retried post returns the first outcome and is not posted twice.
    /// </summary>
    [Alias("Post")]
    Task<PostResult> Post(PostRequest request);

    /// <summary>The current members and the last sequence number.</summary>
    [Alias("GetSnapshot")]
    Task<RoomSnapshot> GetSnapshot();
}

[GenerateSerializer, Immutable, Alias("OrleansChat.JoinRequest")]
public sealed record JoinRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] string FrontId);

[Alias("OrleansChat.JoinStatus")]
public enum JoinStatus
{
    Joined,
    InvalidNickname,
    NicknameTaken,
}

[GenerateSerializer, Immutable, Alias("OrleansChat.JoinResult")]
public sealed record JoinResult(
    [property: Id(0)] JoinStatus Status,
    [property: Id(1)] string Nickname);

[GenerateSerializer, Immutable, Alias("OrleansChat.LeaveRequest")]
public sealed record LeaveRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] string ConnectionId);

[GenerateSerializer, Immutable, Alias("OrleansChat.PostRequest")]
public sealed record PostRequest(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] string Nickname,
    [property: Id(2)] string ConnectionId,
    [property: Id(3)] string Text);

[Alias("OrleansChat.PostStatus")]
public enum PostStatus
{
    Posted,
    InvalidMessage,
    NotMember,
}

[GenerateSerializer, Immutable, Alias("OrleansChat.PostResult")]
public sealed record PostResult(
    [property: Id(0)] PostStatus Status,
    [property: Id(1)] Events.MessagePosted? Message);

[GenerateSerializer, Immutable, Alias("OrleansChat.RoomSnapshot")]
public sealed record RoomSnapshot(
    [property: Id(0)] string Room,
    [property: Id(1)] IReadOnlyList<string> Members,
    [property: Id(2)] long LastSeq);
