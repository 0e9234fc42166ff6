namespace OrleansChat.Grains.Interfaces.Rooms;

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

    /// <summary>A direct conversation the joiner is not in, or no conversation at all: the same answer for both.</summary>
    NotParticipant,
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
