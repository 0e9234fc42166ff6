using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// Tells a client that left from one whose connection was lost, on every transport (<see cref="ClientGoodbye"/>). A
/// client told to stop sends SignalR's close message (<see cref="GoodbyeDetector"/>); on a WebSocket, a close frame
/// it sent first without one is a page closed or reloaded (<see cref="CloseTrackingWebSocket"/>). Any other end (a
/// reset, an orderly TCP end from a proxy, a long poll that stopped coming) is a drop.
/// </summary>
public sealed class ConnectionCloseTracking
{
    private static readonly object SocketItem = new();
    private static readonly object TokenItem = new();

    /// <summary>
    /// Long polling and Server-Sent Events send each batch of messages in a POST of its own, found by the connection
    /// token in its query. Kept from the connection's start to its end, so it never holds more than the open
    /// connections, and a POST naming an unknown token records nothing.
    /// </summary>
    private readonly ConcurrentDictionary<string, PostedGoodbye> _posting = new(StringComparer.Ordinal);

    /// <remarks>
    /// SignalR adds the WebSockets middleware inside its endpoint, after this one could run; adding it here first
    /// makes the WebSocket feature exist in time to be wrapped (SignalR's own then leaves it in place).
    /// </remarks>
    public IApplicationBuilder UseOn(IApplicationBuilder app, PathString hubPath) =>
        app.UseWebSockets().Use((context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(hubPath))
            {
                return next(context);
            }

            if (context.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature)
            {
                context.Features.Set<IHttpWebSocketFeature>(new TrackingFeature(feature, context));
            }
            else if (HttpMethods.IsPost(context.Request.Method)
                && context.Request.Query["id"] is [{ } token]
                && _posting.TryGetValue(token, out var goodbye))
            {
                context.Request.Body = new GoodbyeObservingStream(context.Request.Body, goodbye);
            }

            return next(context);
        });

    /// <summary>
    /// Keeps with the connection what tells its end apart, while its request is still alive: by the time the
    /// connection has ended, its HTTP request may have completed and been reset for reuse, its items and query gone.
    /// </summary>
    public void Remember(HubCallerContext connection)
    {
        if (connection.GetHttpContext() is not { } context)
        {
            return;
        }

        if (context.Items.TryGetValue(SocketItem, out var item) && item is CloseTrackingWebSocket socket)
        {
            connection.Items[SocketItem] = socket;
        }
        else if (context.Request.Query["id"] is [{ } token])
        {
            _posting[token] = new PostedGoodbye();
            connection.Items[TokenItem] = token;
        }
    }

    /// <summary>
    /// At the connection's end, how the client ended it; forgets the connection. A connection this front knows nothing
    /// about (its start failed before <see cref="Remember"/>) counts as stopped.
    /// </summary>
    public ClientGoodbye End(HubCallerContext connection)
    {
        if (connection.Items.TryGetValue(SocketItem, out var item) && item is CloseTrackingWebSocket socket)
        {
            return socket.Goodbye;
        }

        if (connection.Items.TryGetValue(TokenItem, out var value) && value is string token)
        {
            return _posting.TryRemove(token, out var goodbye) && goodbye.Said ? ClientGoodbye.Stopped : ClientGoodbye.None;
        }

        return ClientGoodbye.Stopped;
    }

    private sealed class TrackingFeature(IHttpWebSocketFeature inner, HttpContext context) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => inner.IsWebSocketRequest;

        public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext acceptContext)
        {
            var socket = new CloseTrackingWebSocket(await inner.AcceptAsync(acceptContext));
            context.Items[SocketItem] = socket;
            return socket;
        }
    }

    /// <summary>One connection's POSTs, which SignalR takes one at a time.</summary>
    private sealed class PostedGoodbye
    {
        private readonly GoodbyeDetector _detector = new();
        private volatile bool _said;

        public bool Said => _said;

        public void Observe(ReadOnlySpan<byte> received) => _said |= _detector.Observe(received);
    }

    /// <summary>A POST's body, read as SignalR reads it, with every read shown to the connection's detector.</summary>
    private sealed class GoodbyeObservingStream(Stream inner, PostedGoodbye goodbye) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            goodbye.Observe(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            goodbye.Observe(buffer.AsSpan(offset, read));
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
