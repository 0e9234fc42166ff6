namespace OrleansChat.WebFront.Hubs;

/// <summary>What <c>Register</c> returns to the caller.</summary>
public sealed record RegisterResult(string Nickname, string Room);

/// <summary>What <c>Message</c> returns to the sender once the room accepted (and numbered) the message.</summary>
public sealed record MessageAck(Guid Id, long Seq);

/// <summary>
/// The <c>broadcast_message</c> event. <c>msg</c> and <c>nickname</c> are the seed's fields; the rest let clients
/// order, deduplicate and detect gaps.
/// </summary>
public sealed record BroadcastMessage(string Msg, string Nickname, Guid Id, long Seq, string Room, DateTimeOffset SentAt);
