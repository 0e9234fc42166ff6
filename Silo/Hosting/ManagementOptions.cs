using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Hosting;

/// <summary>Where the health, metrics and dashboard endpoints answer. Bound from <c>OrleansChat:Management</c>.</summary>
public sealed class ManagementOptions
{
    public const string SectionName = "OrleansChat:Management";

    /// <summary>
    /// Unset (the default): the endpoints answer on the app's own port, to loopback clients only, so a process
    /// started with <c>dotnet run</c> shows its metrics to nobody else. Set: the process also listens on this port
    /// (all interfaces), the endpoints answer there to every client and nowhere else, and that port serves nothing
    /// else. The images set it, for probes and Prometheus; keep it off the public network.
    /// </summary>
    [Range(1, 65535)]
    public int? Port { get; set; }

    /// <summary>
    /// Whether a process that hosts a silo serves the Orleans dashboard (at
    /// <see cref="ChatOperationsExtensions.DashboardPath"/>). Off unless asked: it costs a front with an embedded silo
    /// CPU on every delivery and memory even when nobody looks (bench/README.md, "Settings chosen by measurement").
    /// The Silo process turns it on in its appsettings.json, where operators look for it.
    /// </summary>
    public bool Dashboard { get; set; }
}
