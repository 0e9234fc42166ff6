using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// Tells a client's own close from a drop, on every transport: puts a <see cref="CloseTrackingWebSocket"/> under
/// every WebSocket the hub accepts, and notes the other transports' close requests (<see cref="ClientCloseRequests"/>).
/// </summary>
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
            else if (HttpMethods.IsDelete(context.Request.Method) && context.Request.Path == hubPath
                && TokenOf(context) is { } token)
            {
                // Noted before SignalR handles it, so it is there when the connection ends.
                ClientCloseRequests.Add(token);
            }

            return next(context);
        });

    /// <summary>
    /// Whether the client ended the connection itself: a close frame it sent first on a WebSocket (see
    /// <see cref="CloseTrackingWebSocket"/>), a close request on the other transports. Anything else is a drop.
    /// </summary>
    public static bool ClientClosed(HttpContext? context) =>
        context is not null
        && (context.Items.TryGetValue(ItemKey, out var item) && item is CloseTrackingWebSocket socket
            ? socket.ClosedByClient
            : TokenOf(context) is { } token && ClientCloseRequests.Take(token));

    /// <summary>The connection's token, which every request of a negotiated connection carries.</summary>
    private static string? TokenOf(HttpContext context) =>
        context.Request.Query["id"] is [{ Length: > 0 } token] ? token : null;

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
