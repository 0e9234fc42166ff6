using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Everything a front does when a moderator takes a member out of a room (a kick or a ban), in one place. The room's
/// feed first stops sending the room to the member's connections, after everything that came before the removal;
/// then this takes the room out of each connection's session, tells the client why (<c>removed</c>) and, on a kick,
/// closes the connection (the close tells SignalR clients not to reconnect). Every tab and device of the user here
/// gets the same.
/// </summary>
public sealed partial class RoomRemovals(ConnectedUsers users, ChatConnections connections, ILogger<RoomRemovals> logger)
{
    /// <summary>The removed member's connections on this front.</summary>
    public IEnumerable<string> ConnectionsOf(string nickname) => users.Find(nickname).Select(session => session.ConnectionId);

    /// <summary>A room's <see cref="MemberRemoved"/>, once its feed no longer sends the room to the member.</summary>
    public void Removed(MemberRemoved removed)
    {
        var kicked = removed.Reason == RemovalReason.Kicked;
        var message = new SerializedHubMessage(new InvocationMessage(
            ChatEvents.Removed, [new RemovedEvent(removed.Room, removed.Nickname, kicked ? RemovedEvent.Kicked : RemovedEvent.Banned)]));
        foreach (var session in users.Find(removed.Nickname))
        {
            if (kicked)
            {
                session.Left(removed.Room);
            }
            else
            {
                session.Banned(removed.Room);
            }

            var outbox = connections.Find(session.ConnectionId);
            outbox?.TrySend(message, events: 1, maxPending: int.MaxValue);
            // A kick reaches the front once per room of the user: the first closes the connection.
            if (kicked && users.Remove(session) && outbox is not null)
            {
                LogClosing(removed.Nickname, session.ConnectionId);
                outbox.Close();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} was kicked: closing connection {ConnectionId}")]
    private partial void LogClosing(string nickname, string connectionId);
}
