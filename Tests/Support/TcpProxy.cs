using System.Net;
using System.Net.Sockets;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A loopback TCP proxy whose connections a test can cut with a reset, the way a network drop looks to a server:
/// no WebSocket close frame, so the server cannot mistake it for the client leaving. It can also stop reading from
/// the server, the way a client that stops reading its socket looks.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly List<Socket> _sockets = [];
    private readonly HashSet<Socket> _ended = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly int? _receiveBuffer;
    private TaskCompletionSource _downstream = Open();

    /// <param name="target">The server.</param>
    /// <param name="receiveBuffer">
    /// The socket buffer towards the server, if smaller than the system's: a paused proxy then holds back only that
    /// much, and the server's own buffers fill sooner.
    /// </param>
    public TcpProxy(Uri target, int? receiveBuffer = null)
    {
        _target = target;
        _receiveBuffer = receiveBuffer;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The proxy's address, to use instead of the target's.</summary>
    public Uri Address => new UriBuilder(_target) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    /// <summary>Resets every connection through the proxy; new connections still work.</summary>
    public void DropAll()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                Reset(socket);
            }

            _sockets.Clear();
        }
    }

    /// <summary>
    /// Ends every connection through the proxy in an orderly way (a FIN each way, no WebSocket close frame): what a
    /// server behind nginx or an ingress sees when the proxy loses its client. New connections still work.
    /// </summary>
    public void EndAll()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                _ended.Add(socket);
                try
                {
                    // No Close here: closing a socket with unread data sends a reset, which is not the point.
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }
            }

            _sockets.Clear();
        }
    }

    /// <summary>Stops passing on what the server sends (and so stops reading it) until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        if (_downstream.Task.IsCompleted)
        {
            _downstream = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Resume() => _downstream.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Resume();
        _listener.Stop();
        DropAll();
        await _acceptLoop.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (_receiveBuffer is { } size)
            {
                server.ReceiveBufferSize = size;
            }

            await server.ConnectAsync(IPAddress.Loopback, _target.Port);
            client.NoDelay = true;
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = PumpAsync(client, server, () => Task.CompletedTask);
            _ = PumpAsync(server, client, () => _downstream.Task);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Func<Task> open)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                await open();
                var read = await from.ReceiveAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, read));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            bool ended;
            lock (_sockets)
            {
                ended = _ended.Contains(to);
            }

            // One side was reset: reset the other too, as a broken network path would; unless the test ended both
            // in an orderly way, and this is only the echo of that.
            if (!ended)
            {
                Reset(to);
            }
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
