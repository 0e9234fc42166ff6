using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace OrleansChat.WebFront.Connections;

/// <summary>Puts a <see cref="CloseTrackingWebSocket"/> under every WebSocket the hub accepts.</summary>
internal static class ConnectionCloseTracking
{
    private static readonly object ItemKey = new();

    /// <remarks>
    /// SignalR adds the WebSockets middleware inside its endpoint, after this one could run; adding it here first
    /// makes the WebSocket feature exist in time to be wrapped (SignalR's own then leaves it in place).
    /// </remarks>
    public static IApplicationBuilder UseConnectionCloseTracking(this IApplicationBuilder app, PathString hubPath) =>
        app.UseWebSockets().Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(hubPath)
                && context.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature)
            {
                context.Features.Set<IHttpWebSocketFeature>(new TrackingFeature(feature, context));
            }

            return next(context);
        });

    /// <summary>
    /// Keeps with the connection what tells its close apart, while its request is still alive: by the time the
    /// connection has ended, its HTTP request may have completed and been reset for reuse, its items and query gone.
    /// </summary>
    public static void Remember(HubCallerContext connection)
    {
        if (connection.GetHttpContext() is not { } context)
        {
            return;
        }

        if (context.Items.TryGetValue(ItemKey, out var item) && item is CloseTrackingWebSocket socket)
        {
            connection.Items[ItemKey] = socket;
        }
    }

    /// <summary>
    /// Whether the client ended the connection itself: on a WebSocket, a close frame it sent first (see
    /// <see cref="CloseTrackingWebSocket"/>); anything else there is a drop.
    /// </summary>
    /// <remarks>
    /// Long polling and Server-Sent Events still count an end without error as the client's: the client aborts its
    /// poll or stream before it sends its <c>DELETE</c>, so when the connection ends the server cannot yet tell a stop
    /// from a proxy that lost its client (telling them apart needs the decision deferred until the DELETE could have
    /// come).
    /// </remarks>
    public static bool ClientClosed(HubCallerContext connection) =>
        !connection.Items.TryGetValue(ItemKey, out var item) || item is not CloseTrackingWebSocket socket || socket.ClosedByClient;

    private sealed class TrackingFeature(IHttpWebSocketFeature inner, HttpContext context) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext acceptContext)
        {
            var socket = new CloseTrackingWebSocket(await inner.AcceptAsync(acceptContext));
            context.Items[ItemKey] = socket;
            return socket;
        }
    }
}
