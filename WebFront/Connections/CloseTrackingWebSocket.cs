using System.Net.WebSockets;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// A WebSocket that remembers how the client ended it. SignalR reports a client that closed the connection and one
/// whose network died the same way (no exception), but the chat must tell them apart: the first left, the second may
/// come back within the grace period. A client told to stop sends SignalR's close message (the server ends the
/// connection on it, before the close frame arrives); a browser closing or reloading a page sends only a close frame.
/// An orderly end of the TCP stream without either is a drop: behind nginx or an ingress, a phone that loses its
/// network makes the proxy end its upstream connection in an orderly way, exactly as a client that closed would.
/// </summary>
internal sealed class CloseTrackingWebSocket(WebSocket inner) : WebSocket
{
    private readonly GoodbyeDetector _detector = new();
    private volatile bool _closeReceived;
    private volatile bool _closeSent;
    private volatile bool _closeFrameFirst;
    private volatile bool _stopped;

    /// <summary>How the client ended the connection before this side started closing it.</summary>
    public ClientGoodbye Goodbye =>
        _stopped ? ClientGoodbye.Stopped : _closeFrameFirst ? ClientGoodbye.PageClosed : ClientGoodbye.None;

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    public override void Abort() => inner.Abort();

    // A client answering the server's own close (a takeover, a front handing its connections back) has not left.
    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        _closeSent = true;
        return inner.CloseAsync(closeStatus, statusDescription, cancellationToken);
    }

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        _closeSent = true;
        return inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);
    }

    public override void Dispose() => inner.Dispose();

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(buffer, cancellationToken);
        RecordReceived(result.MessageType, buffer.AsSpan(0, result.Count), result.EndOfMessage);
        return result;
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(buffer, cancellationToken);
        RecordReceived(result.MessageType, buffer.Span[..result.Count], result.EndOfMessage);
        return result;
    }

    private void RecordReceived(WebSocketMessageType type, ReadOnlySpan<byte> received, bool endOfMessage)
    {
        if (type == WebSocketMessageType.Close)
        {
            if (!_closeReceived)
            {
                _closeReceived = true;
                _closeFrameFirst = !_closeSent;
            }

            return;
        }

        // A close message is the last a client sends, so it ends its frame; looking only there keeps this O(1) a frame.
        if (_detector.Observe(received) && endOfMessage && !_closeSent)
        {
            _stopped = true;
        }
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);
}
