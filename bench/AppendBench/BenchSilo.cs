using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OrleansChat.Grains.Rooms;
using OrleansChat.Hosting;

namespace OrleansChat.Bench;

/// <summary>
/// A real silo in this process, wired as the chat server wires it, with history kept for good. The benchmark calls
/// grains through the silo's own client, so what is timed is the grain and its storage, not a network hop.
/// </summary>
public sealed class BenchSilo(IHost host, string? storageRoot) : IAsyncDisposable
{
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Cancelled on Ctrl+C or SIGTERM. The host then stops the silo but waits for the program to end, so the
    /// benchmark must stop too rather than post into a silo that is going away.
    /// </summary>
    public CancellationToken Stopping =>
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <param name="configure">What a benchmark changes in the wiring: limits, or storage it watches.</param>
    public static async Task<BenchSilo> StartAsync(HistoryStorage storage, Action<ISiloBuilder>? configure = null)
    {
        var storageRoot = storage is HistoryStorage.File
            ? Path.Combine(Path.GetTempPath(), $"orleanschat-appendbench-{Guid.NewGuid():N}")
            : null;

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // Standard output carries only the results, for scripts to read.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreeLoopbackPort(), gatewayPort: 0);
            silo.AddOrleansChatGrains(
                new ChatClusterOptions().StreamPollInterval,
                storageRoot is null ? null : new ChatStorageOptions { DataPath = storageRoot, FlushToDisk = true });

            // Retention drops old pages and would keep the history short; the point is to let it grow.
            silo.Services.Configure<ChatRoomOptions>(o => o.RetainMessages = 0);
            configure?.Invoke(silo);
        });

        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host, storageRoot);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        if (storageRoot is not null && Directory.Exists(storageRoot))
        {
            Directory.Delete(storageRoot, recursive: true);
        }
    }

    /// <summary>A port no other silo on this machine (a running chat, a test cluster) is listening on.</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
