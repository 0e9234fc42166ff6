using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using OrleansChat.WebFront.Connections;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>
/// How a client ended its WebSocket, on real WebSockets over a loopback TCP pair: the hub's close message is a stop; a
/// close frame sent first without it is a page closed; an end of the stream, a close answering the server's, or a
/// message that merely contains the close message's text is none of these.
/// </summary>
public sealed class CloseTrackingWebSocketTests : IAsyncLifetime
{
    private const string Goodbye = "{\"type\":7}\u001e";

    private WebSocket _client = null!;
    private CloseTrackingWebSocket _server = null!;
    private TcpClient _clientTcp = null!;
    private TcpClient _serverTcp = null!;

    public async Task InitializeAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _clientTcp = new TcpClient();
        var accept = listener.AcceptTcpClientAsync();
        await _clientTcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        _serverTcp = await accept;
        _client = WebSocket.CreateFromStream(_clientTcp.GetStream(), isServer: false, subProtocol: null, Timeout.InfiniteTimeSpan);
        _server = new CloseTrackingWebSocket(
            WebSocket.CreateFromStream(_serverTcp.GetStream(), isServer: true, subProtocol: null, Timeout.InfiniteTimeSpan));
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        _clientTcp.Dispose();
        _serverTcp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_hub_close_message_at_the_end_of_a_frame_is_a_stop()
    {
        await SendTextAsync("{\"type\":6}\u001e" + Goodbye);

        await ReceiveAsync(bufferSize: 4096);

        Assert.Equal(ClientGoodbye.Stopped, _server.Goodbye);
    }

    [Fact]
    public async Task A_close_message_split_across_reads_is_recognised()
    {
        await SendTextAsync("{\"type\":6}\u001e" + Goodbye);

        await ReceiveAsync(bufferSize: 7);

        Assert.Equal(ClientGoodbye.Stopped, _server.Goodbye);
    }

    [Fact]
    public async Task A_message_that_quotes_the_close_message_is_not_a_stop()
    {
        await SendTextAsync("{\"type\":1,\"target\":\"Message\",\"arguments\":[\"{\\\"type\\\":7}\"]}\u001e");

        await ReceiveAsync(bufferSize: 4096);

        Assert.Equal(ClientGoodbye.None, _server.Goodbye);
    }

    [Fact]
    public async Task A_close_frame_the_client_sends_first_without_the_close_message_is_a_page_closed()
    {
        await _client.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "tab closed", CancellationToken.None);

        var result = await _server.ReceiveAsync(new byte[64], CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(ClientGoodbye.PageClosed, _server.Goodbye);
    }

    [Fact]
    public async Task A_close_frame_answering_the_servers_close_is_not_a_goodbye()
    {
        await _server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "handed back", CancellationToken.None);
        var clientSaw = await _client.ReceiveAsync(new byte[64], CancellationToken.None);
        await _client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        var result = await _server.ReceiveAsync(new byte[64], CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, clientSaw.MessageType);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(ClientGoodbye.None, _server.Goodbye);
    }

    [Fact]
    public async Task An_orderly_end_of_the_stream_without_a_close_is_not_a_goodbye()
    {
        await SendTextAsync("{\"type\":6}\u001e");
        await ReceiveAsync(bufferSize: 4096);
        _clientTcp.Client.Shutdown(SocketShutdown.Send);

        await Assert.ThrowsAsync<WebSocketException>(() => _server.ReceiveAsync(new byte[64], CancellationToken.None));

        Assert.Equal(ClientGoodbye.None, _server.Goodbye);
    }

    private Task SendTextAsync(string text) =>
        _client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Reads one whole frame in reads of at most <paramref name="bufferSize"/> bytes, as the hub's transport does.</summary>
    private async Task ReceiveAsync(int bufferSize)
    {
        var buffer = new byte[bufferSize];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _server.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
        }
        while (!result.EndOfMessage);
    }
}
