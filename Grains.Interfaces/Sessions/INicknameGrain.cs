using OrleansChat.Grains.Interfaces.Fronts;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Grains.Interfaces.Sessions;

/// <summary>
/// Owns one nickname across the whole server (keyed by <see cref="ChatRules.KeyOf"/>) and the session that holds
/// it: the resume token, the connection currently speaking for it and the rooms it is in. A dropped connection
/// keeps the session for a grace period; only when it ends do the rooms hear that the user left.
/// </summary>
[Alias("OrleansChat.INicknameGrain")]
public interface INicknameGrain : IGrainWithStringKey
{
    /// <summary>Starts a session on a free nickname.</summary>
    [Alias("Claim")]
    Task<ClaimResult> Claim(ClaimRequest request);

    /// <summary>Moves a live or detached session to a new connection, if the token matches.</summary>
    [Alias("Resume")]
    Task<ResumeResult> Resume(ResumeRequest request);

    /// <summary>Joins a room on behalf of the session (enforcing the rooms-per-user limit).</summary>
    [Alias("JoinRoom")]
    Task<JoinResult> JoinRoom(SessionRoomRequest request);

    /// <summary>Leaves a room on behalf of the session.</summary>
    [Alias("LeaveRoom")]
    Task LeaveRoom(SessionRoomRequest request);

    /// <summary>
    /// The session's connection closed. A clean close ends the session at once; a dropped one starts the grace
    /// period. Ignored if the session has already moved to another connection.
    /// </summary>
    [Alias("Disconnect")]
    Task Disconnect(DisconnectRequest request);

    /// <summary>The front holding this session's connection is gone; ignored if the session has moved on.</summary>
    [Alias("FrontLost")]
    Task FrontLost(FrontLost lost);

    /// <summary>
    /// An administrator ends the session: each of its rooms publishes <see cref="Events.MemberRemoved"/> (so the
    /// front holding the connection closes it) and the nickname is free again.
    /// </summary>
    [Alias("Kick")]
    Task<ModerationResult> Kick(ModerationRequest request);

    /// <summary>
    /// The session holding the nickname, connected or within its grace period; null when nobody holds it. How a direct
    /// conversation finds the participant it is opened with.
    /// </summary>
    [Alias("GetSession")]
    Task<SessionHolder?> GetSession();
}
