using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;

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
    /// Whether the client ended the connection itself (see <see cref="CloseTrackingWebSocket"/>). Other transports
    /// end with an explicit request from the client, so their clean end is clean.
    /// </summary>
    public static bool ClientClosed(HttpContext? context) =>
        context?.Items.TryGetValue(ItemKey, out var item) != true
        || item is not CloseTrackingWebSocket socket
        || socket.ClosedByClient;

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
