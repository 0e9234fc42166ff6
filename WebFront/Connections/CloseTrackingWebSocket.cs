using System.Net.WebSockets;

namespace OrleansChat.WebFront.Connections;

/// <summary>
/// A WebSocket that remembers whether its connection was torn by the network. SignalR reports a client that closed
/// the connection and one whose network died the same way (no exception), but the chat must tell them apart: the
/// first left, the second may come back within the grace period. A close frame or an orderly end of the TCP stream
/// (the client's OS closed it: tab closed, client stopped) is a clean close; a reset is a drop.
/// </summary>
internal sealed class CloseTrackingWebSocket(WebSocket inner) : WebSocket
{
    private volatile bool _closeReceived;
    private volatile bool _reset;

    /// <summary>The client ended the connection itself, as far as this socket saw.</summary>
    public bool ClosedByClient => _closeReceived || !_reset;

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    public override void Abort() => inner.Abort();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose() => inner.Dispose();

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            var result = await inner.ReceiveAsync(buffer, cancellationToken);
            _closeReceived |= result.MessageType == WebSocketMessageType.Close;
            return result;
        }
        catch (WebSocketException ex) when (RecordReset(ex))
        {
            throw;
        }
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            var result = await inner.ReceiveAsync(buffer, cancellationToken);
            _closeReceived |= result.MessageType == WebSocketMessageType.Close;
            return result;
        }
        catch (WebSocketException ex) when (RecordReset(ex))
        {
            throw;
        }
    }

    /// <summary>
    /// An exception filter that observes without catching (it is always false), shared by both receive overloads:
    /// an error with an inner I/O cause is a reset, not an orderly end of stream.
    /// </summary>
    private bool RecordReset(WebSocketException exception)
    {
        _reset |= exception.InnerException is not null;
        return false;
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, messageFlags, cancellationToken);
}
