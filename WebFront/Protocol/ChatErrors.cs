namespace OrleansChat.WebFront.Protocol;

/// <summary>
/// The error texts a caller sees. They are part of the protocol (docs/protocol.md): clients may match on them.
/// </summary>
public static class ChatErrors
{
    public const string InvalidNickname =
        "Invalid nickname: use 1 to 32 characters, without control or invisible characters.";
    public const string NicknameTaken = "Nickname already in use.";
    public const string AlreadyRegistered = "This connection is already registered.";
    public const string NotRegistered = "Register a nickname before sending messages.";
    public const string InvalidMessage =
        "Invalid message: use 1 to 2000 characters, without control characters other than newline.";
    public const string InvalidRoom = "Invalid room name: use 1 to 32 characters, without control or invisible characters.";
    public const string NotInRoom = "Join the room first.";
    public const string RoomFull = "The room is full.";
    public const string TooManyRooms = "You are in too many rooms: leave one first.";
    public const string SessionExpired = "The session expired or the resume token is invalid: register again.";
    public const string InvalidHistoryRequest = "Invalid history request: beforeSeq must be positive and limit 1 to 100.";
    public const string InvalidMembersRequest = "Invalid members request: after must be a nickname and limit 1 to 200.";
    public const string RateLimited = "Too many requests: slow down.";
    public const string Unavailable = "The chat is temporarily unavailable, try again.";
    public const string AccountNickname = "You are signed in: register with your account's nickname, or with null.";
    public const string NotAdmin = "Only a chat administrator can do this.";
    public const string Banned = "You are banned from this room.";
    public const string NotOnline = "No one is using that nickname.";
    public const string InvalidMessageId =
        "Invalid message id: use a new GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) for each message, and afterSeq 0 or more.";
    public const string MessageIdTaken = "This message id belongs to someone else's message: send with a new id.";
    public const string TooLateToSendOnce =
        "The room moved on too far to tell whether this message was already sent: check the room, then send it with a new id.";
    public const string InvalidReadPosition = "Invalid read position: seq must be from 1 to the room's last message.";
    public const string TooManyConnections =
        "You are connected from too many tabs or devices: close one, or wait a moment for one that dropped to be let go.";
    public const string MessageNotFound = "No such message in this room: it may have been deleted, be too old, or never have existed.";
    public const string NotYourMessage = "You can only edit or delete your own messages.";
    public const string InvalidReaction = "Invalid reaction: use one of 👍 ❤️ 😂 😮 😢 🎉.";
    public const string TooManyReactions =
        "Too many reactions: at most 3 of yours on a message, and 100 on one message in all.";

    // Direct conversations (protocol §4.17).
    public const string InvalidConversation =
        "Invalid conversation: name at least one other user by nickname, each once.";
    public const string ConversationWithYourself = "You cannot open a conversation with yourself.";
    public const string ConversationTooBig = "Too many people for one conversation: name fewer.";
    public const string NoSuchConversation = "No such conversation.";
}
