using Microsoft.AspNetCore.SignalR;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Relay;

namespace OrleansChat.WebFront.Hubs.Internal;

/// <summary>
/// SignalR's own lifetime manager, which also hands every connection to <see cref="ChatConnections"/> (the relay
/// writes to connections directly, without awaiting each in turn as a group send does) and, when it closes, takes it
/// out of every room the relay sends it.
/// </summary>
public sealed class ChatHubLifetimeManager(
    ChatConnections connections,
    RoomStreamRelay relay,
    ILogger<DefaultHubLifetimeManager<ChatHub>> logger) : DefaultHubLifetimeManager<ChatHub>(logger)
{
    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        connections.Add(connection);
        await base.OnConnectedAsync(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (connections.Remove(connection) is { } outbox)
        {
            await relay.LeaveAllAsync(outbox);
        }

        await base.OnDisconnectedAsync(connection);
    }
}
