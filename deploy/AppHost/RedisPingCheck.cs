using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansChat.AppHost;

/// <summary>
/// Healthy once redis-server answers PING on its port, so the silos start only then (an executable resource is
/// "running" as soon as its process is, before it listens).
/// </summary>
internal sealed class RedisPingCheck(int port) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var reply = new byte[16];
            var read = await stream.ReadAsync(reply, cancellationToken);
            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"redis-server on {port} did not answer PING with PONG");
        }
        catch (SocketException e)
        {
            return HealthCheckResult.Unhealthy($"redis-server on {port} does not answer", e);
        }
    }
}
