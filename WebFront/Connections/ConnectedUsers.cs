using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Moderation;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.WebFront.Hubs;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// The registered connections on this front, by nickname key. Room events reach a room's connections; this is how
/// an event aimed at one member (a kick, a ban) finds that member's connection on whichever front holds it.
/// </summary>
public sealed partial class ConnectedUsers(IHubContext<ChatHub> hub, ILogger<ConnectedUsers> logger)
{
    private readonly ConcurrentDictionary<string, LocalUser> _users = new(StringComparer.Ordinal);

    public void Add(ConnectionSession session, HubCallerContext connection) =>
        _users[session.NicknameKey] = new LocalUser(session, connection);

    /// <summary>Forgets the connection, unless the nickname has moved on to another one meanwhile.</summary>
    public void Remove(ConnectionSession session, HubCallerContext connection) =>
        _users.TryRemove(KeyValuePair.Create(session.NicknameKey, new LocalUser(session, connection)));

    /// <summary>The connection that holds a nickname on this front, if any.</summary>
    public string? ConnectionOf(string nickname) =>
        _users.TryGetValue(ChatRules.KeyOf(nickname), out var user) ? user.Connection.ConnectionId : null;

    /// <summary>
    /// Tells a removed member why (the relay has already stopped sending it the room) and, on a kick, closes the
    /// connection (the close tells SignalR clients not to reconnect).
    /// </summary>
    public async Task RemovedAsync(MemberRemoved removed)
    {
        var key = ChatRules.KeyOf(removed.Nickname);
        if (!_users.TryGetValue(key, out var user))
        {
            return;
        }

        var connection = user.Connection;
        if (removed.Reason == RemovalReason.Banned)
        {
            user.Session.MarkBanned(removed.Room);
        }

        var reason = removed.Reason == RemovalReason.Kicked ? RemovedEvent.Kicked : RemovedEvent.Banned;
        await hub.Clients.Client(connection.ConnectionId).SendAsync(
            ChatEvents.Removed, new RemovedEvent(removed.Room, removed.Nickname, reason));
        // A kick reaches the front once per room of the user: the first closes the connection.
        if (removed.Reason == RemovalReason.Kicked && _users.TryRemove(KeyValuePair.Create(key, user)))
        {
            LogClosing(removed.Nickname, connection.ConnectionId);
            connection.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Nickname} was kicked: closing connection {ConnectionId}")]
    private partial void LogClosing(string nickname, string connectionId);

    private sealed record LocalUser(ConnectionSession Session, HubCallerContext Connection);
}
