namespace OrleansChat.WebFront.Protocol;

// What the direct-conversation methods return, serialised as camelCase JSON (docs/protocol.md, sections 4.17, 4.18).

/// <summary>
/// What <c>OpenConversation</c> returns: the conversation as the opener now sees it (its room name is the
/// conversation's id), and everyone in it by nickname, the opener included, in the order they were named.
/// </summary>
public sealed record ConversationOpened(RoomJoined Joined, IReadOnlyList<string> Participants);

/// <summary>
/// One of the user's conversations in <c>Conversations</c>: its room name, everyone in it by nickname, its last
/// message's sequence number and how far the user has read it (null: never marked), for an unread count.
/// </summary>
public sealed record ConversationListing(string Room, IReadOnlyList<string> Participants, long LastSeq, long? ReadSeq);
