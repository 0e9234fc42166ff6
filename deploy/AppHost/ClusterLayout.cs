using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace OrleansChat.AppHost;

/// <summary>One chat process's ports. A front has no silo or gateway port (0).</summary>
internal sealed record ProcessPorts(string Name, int Http, int Management, int Silo = 0, int Gateway = 0);

/// <summary>
/// The ports of deploy/local-cluster.sh, each moved by <see cref="PortOffset"/>, with the management ports the images
/// use (9881 a front, 9882 a silo) counted on from there. Every process has its own, so each front is reachable on
/// its own (a SignalR negotiate and its WebSocket must reach the same front) and each silo's management endpoint can
/// be opened on its own.
/// </summary>
internal sealed record ClusterLayout(int PortOffset, int Redis, IReadOnlyList<ProcessPorts> Silos, IReadOnlyList<ProcessPorts> Fronts)
{
    /// <summary>The configuration key (command line <c>--PortOffset N</c>) that moves every port.</summary>
    public const string PortOffsetKey = "PortOffset";

    public static ClusterLayout From(IConfiguration configuration)
    {
        var offset = configuration.GetValue(PortOffsetKey, 0);
        return new ClusterLayout(
            offset,
            FirstFreePort(6379 + offset),
            [
                new("silo1", 8882 + offset, 9882 + offset, 11111 + offset, 30000 + offset),
                new("silo2", 8883 + offset, 9883 + offset, 11112 + offset, 30001 + offset),
            ],
            [
                new("front1", 8881 + offset, 9881 + offset),
                new("front2", 8884 + offset, 9884 + offset),
            ]);
    }

    /// <summary>As local-cluster.sh does: Redis takes the first port from <paramref name="start"/> that nobody listens on.</summary>
    private static int FirstFreePort(int start)
    {
        for (var port = start; port < start + 100; port++)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException($"No free port for Redis from {start} to {start + 99}");
    }
}
