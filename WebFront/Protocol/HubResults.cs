namespace OrleansChat.WebFront.Protocol;

// What the hub's methods return, serialised as camelCase JSON. docs/protocol.md describes each one; tests pin them.

/// <summary>
/// What <c>Register</c> returns: the nickname as stored, the room joined, and the token to resume with.
/// <c>OtherRooms</c> are the session's other rooms when a signed-in user registered on one more device and joined the
/// session already open on another; empty for a new session.
/// </summary>
public sealed record RegisterResult(string Nickname, string Room, string ResumeToken, RoomJoined Joined, IReadOnlyList<RoomJoined> OtherRooms);

/// <summary>What <c>Resume</c> returns: the session's nickname and every room it is in, each with what was missed.</summary>
public sealed record ResumeResult(string Nickname, string ResumeToken, IReadOnlyList<RoomJoined> Rooms);

/// <summary>Where a client was in a room when it lost its connection.</summary>
public sealed record RoomPosition(string Room, string? Epoch, long LastSeq);

/// <summary>
/// A room as the caller now sees it. <c>Members</c> is the first page of the members in nickname order, out of
/// <c>MemberCount</c>; <c>Members</c> (the method) pages the rest. <c>Recovered</c> is true when the caller gave its
/// position and <c>Messages</c> are exactly the ones it missed; otherwise <c>Messages</c> are the latest ones and a
/// client that had older state should reload history. <c>ReadSeq</c> is how far the user has read the room, on any
/// device (<c>MarkRead</c>); null when the user never marked it read. <c>Updates</c> are the edits, deletes and
/// reactions numbered after the caller's position (<c>message_updated</c>'s shape), for messages it already shows;
/// empty unless <c>Recovered</c>.
/// </summary>
public sealed record RoomJoined(
    string Room,
    IReadOnlyList<string> Members,
    string Epoch,
    long LastSeq,
    IReadOnlyList<BroadcastMessage> Messages,
    bool Recovered,
    int MemberCount,
    long? ReadSeq,
    IReadOnlyList<MessageUpdatedEvent> Updates);

/// <summary>
/// What <c>Message</c>, <c>SendToRoom</c> and <c>SendToRoomOnce</c> return once the room stored and numbered the
/// message; for a repeated <c>SendToRoomOnce</c>, the first send's.
/// </summary>
public sealed record MessageAck(Guid Id, long Seq, string Room);

/// <summary>A page of history, oldest first; <c>HasMore</c> says whether older messages remain.</summary>
public sealed record HistoryResult(string Room, string Epoch, IReadOnlyList<BroadcastMessage> Messages, bool HasMore);

/// <summary>A room in <c>ListRooms</c>.</summary>
public sealed record RoomListing(string Room, int Members);

/// <summary>A page of a room's members in nickname order; <c>HasMore</c> says whether more follow.</summary>
public sealed record MemberPageResult(string Room, int MemberCount, IReadOnlyList<string> Members, bool HasMore);
