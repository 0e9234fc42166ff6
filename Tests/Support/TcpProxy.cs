using System.Net;
using System.Net.Sockets;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A loopback TCP proxy whose connections a test can cut with a reset, the way a network drop looks to a server:
/// no WebSocket close frame, so the server cannot mistake it for the client leaving.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public TcpProxy(Uri target)
    {
        _target = target;
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

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
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
            await server.ConnectAsync(IPAddress.Loopback, _target.Port);
            client.NoDelay = true;
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // One side was reset: reset the other too, as a broken network path would.
            Reset(to);
        }
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
