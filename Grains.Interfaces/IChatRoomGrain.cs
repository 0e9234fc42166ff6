using Orleans.Concurrency;
using OrleansChat.Grains.Events;

namespace OrleansChat.Grains;

/// <summary>
/// One chat room, keyed by its normalized name (<see cref="ChatRules.TryNormalizeRoom"/>). Holds the members, numbers
/// and stores the messages, and publishes every room event on the room's stream (<see cref="ChatStreams.ForRoom"/>).
/// </summary>
[Alias("OrleansChat.IChatRoomGrain")]
public interface IChatRoomGrain : IGrainWithStringKey
{
    /// <summary>Adds a member. Idempotent for the same session: a retry or a resume publishes nothing.</summary>
    [Alias("Join")]
    Task<JoinResult> Join(JoinRequest request);

    /// <summary>Removes a member if it still belongs to the given session; otherwise does nothing.</summary>
    [Alias("Leave")]
    Task Leave(LeaveRequest request);

    /// <summary>
    /// Stores a member's message, then publishes it. Idempotent on <see cref="PostRequest.MessageId"/>: a retried
    /// post returns the first outcome and is not posted twice. Interleaves with the room's other calls, so posts that
    /// arrive together are stored by one write (group commit) and a stream of posts never starves joins.
    /// </summary>
    [AlwaysInterleave]
    [Alias("Post")]
    Task<PostResult> Post(PostRequest request);

    /// <summary>Stored messages in a range of sequence numbers, oldest first.</summary>
    [Alias("GetMessages")]
    Task<MessageRange> GetMessages(MessageQuery query);

    /// <summary>The member count, the first page of members, the epoch and the sequence bounds.</summary>
    [Alias("GetSnapshot")]
    Task<RoomSnapshot> GetSnapshot();

    /// <summary>One page of the members, in nickname order (<see cref="ChatRules.KeyOf"/>, ordinal).</summary>
    [Alias("GetMembers")]
    Task<MemberPage> GetMembers(MemberQuery query);

    /// <summary>
    /// Bans a nickname: it is taken out of the room if it is in, and its joins and posts are refused until
    /// <see cref="Unban"/>. The ban is stored with the room's history, so it outlives restarts.
    /// </summary>
    [Alias("Ban")]
    Task<ModerationResult> Ban(ModerationRequest request);

    /// <summary>Lifts a ban; the nickname may join again. Lifting a ban that does not exist does nothing.</summary>
    [Alias("Unban")]
    Task<ModerationResult> Unban(ModerationRequest request);

    /// <summary>Takes a member out on a moderator's behalf (a kick), publishing <see cref="MemberRemoved"/>.</summary>
    [Alias("Remove")]
    Task Remove(RemoveRequest request);
}

[GenerateSerializer, Immutable, Alias("OrleansChat.JoinRequest")]
public sealed record JoinRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] Guid SessionId,
    [property: Id(2)] string FrontId);

[Alias("OrleansChat.JoinStatus")]
public enum JoinStatus
{
    Joined,
    InvalidNickname,
    NicknameTaken,
    RoomFull,
    TooManyRooms,
    NotOwner,
    Banned,
}

[GenerateSerializer, Immutable, Alias("OrleansChat.JoinResult")]
public sealed record JoinResult(
    [property: Id(0)] JoinStatus Status,
    [property: Id(1)] string Nickname,
    [property: Id(2)] RoomSnapshot? Room);

[GenerateSerializer, Immutable, Alias("OrleansChat.LeaveRequest")]
public sealed record LeaveRequest(
    [property: Id(0)] string Nickname,
    [property: Id(1)] Guid SessionId);

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

/// <summary>
/// Messages with <see cref="FromSeq"/> ≤ seq ≤ <see cref="ToSeq"/>; when there are more than <see cref="Limit"/>,
/// the latest <see cref="Limit"/> of them (the ones nearest <see cref="ToSeq"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MessageQuery")]
public sealed record MessageQuery(
    [property: Id(0)] long FromSeq,
    [property: Id(1)] long ToSeq,
    [property: Id(2)] int Limit);

/// <summary>
/// Stored messages, oldest first. <see cref="FirstSeq"/> is the oldest message retention still keeps, so a client
/// can tell whether there is more to page back to.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MessageRange")]
public sealed record MessageRange(
    [property: Id(0)] string Epoch,
    [property: Id(1)] long FirstSeq,
    [property: Id(2)] long LastSeq,
    [property: Id(3)] IReadOnlyList<MessagePosted> Messages);

/// <summary>
/// A room as a joiner first sees it: <see cref="MemberCount"/> members, of which <see cref="Members"/> is the first
/// page in nickname order (at most <c>ChatRoomOptions.MembersOnJoin</c>; <see cref="IChatRoomGrain.GetMembers"/>
/// pages the rest), and the history's epoch and sequence bounds.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.RoomSnapshot")]
public sealed record RoomSnapshot(
    [property: Id(0)] string Room,
    [property: Id(1)] IReadOnlyList<string> Members,
    [property: Id(2)] string Epoch,
    [property: Id(3)] long FirstSeq,
    [property: Id(4)] long LastSeq,
    [property: Id(5)] int MemberCount);

/// <summary>
/// Members whose nickname key (<see cref="ChatRules.KeyOf"/>) comes after <see cref="After"/>'s (from the first when
/// null), at most <see cref="Limit"/> of them. Paging by nickname keeps a cursor valid while members come and go.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberQuery")]
public sealed record MemberQuery(
    [property: Id(0)] string? After,
    [property: Id(1)] int Limit);

/// <summary>A page of members in nickname order, out of <see cref="Count"/>; <see cref="HasMore"/> if more follow.</summary>
[GenerateSerializer, Immutable, Alias("OrleansChat.MemberPage")]
public sealed record MemberPage(
    [property: Id(0)] int Count,
    [property: Id(1)] IReadOnlyList<string> Members,
    [property: Id(2)] bool HasMore);
