using Microsoft.AspNetCore.SignalR;
using OrleansChat.WebFront.Connections;

namespace OrleansChat.WebFront.Hubs.Internal;

/// <summary>
/// SignalR's own lifetime manager, which also hands every connection to <see cref="ChatConnections"/>: the relay
/// writes to connections directly, without awaiting each in turn as a group send does.
/// </summary>
public sealed class ChatHubLifetimeManager(ChatConnections connections, ILogger<DefaultHubLifetimeManager<ChatHub>> logger)
    : DefaultHubLifetimeManager<ChatHub>(logger)
{
    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        connections.Add(connection);
        await base.OnConnectedAsync(connection);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        connections.Remove(connection);
        await base.OnDisconnectedAsync(connection);
    }
}
