using Orleans.Concurrency;
using OrleansChat.Grains.Interfaces.Moderation;

namespace OrleansChat.Grains.Interfaces.Rooms;

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

    /// <summary>
    /// The author changes a message's text. Like every amendment it is stored and published as an entry of its own
    /// (<see cref="MessagePosted.Amends"/>) and applied where history keeps the message: the head, or the one sealed
    /// page that holds it, whatever the history's length. Idempotent: the same text again changes nothing.
    /// Interleaves like <see cref="Post"/>, and is acknowledged the same way.
    /// </summary>
    [AlwaysInterleave]
    [Alias("Edit")]
    Task<AmendResult> Edit(EditRequest request);

    /// <summary>Makes a message a tombstone (<see cref="DeleteRequest"/>); deleting it again changes nothing.</summary>
    [AlwaysInterleave]
    [Alias("Delete")]
    Task<AmendResult> Delete(DeleteRequest request);

    /// <summary>Puts a reaction on a message or takes it off; asking for what already is changes nothing.</summary>
    [AlwaysInterleave]
    [Alias("React")]
    Task<AmendResult> React(ReactRequest request);

    /// <summary>
    /// A front delivered sequence numbers up to <see cref="SeenReport.Seq"/> that the room has not stored: its store
    /// came back older than what the room published (a lost write, a restore from backup). The room numbers every
    /// later message past them, in a new epoch, and announces it with <see cref="HistoryRegressed"/>. Completes when
    /// the new epoch is stored; a report at or below what the room has does nothing.
    /// </summary>
    [Alias("ReportSeen")]
    Task ReportSeen(SeenReport report);

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
