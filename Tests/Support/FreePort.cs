using System.Net;
using System.Net.Sockets;

namespace OrleansChat.Tests.Support;

/// <summary>Asks the OS for a free loopback port, so test hosts never clash with each other or a running chat.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
