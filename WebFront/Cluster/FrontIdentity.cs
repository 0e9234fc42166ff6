namespace OrleansChat.WebFront.Cluster;

/// <summary>
/// Names this front process in the cluster. Room members record the front that holds their connection, so the
/// members of a front that dies can be found and removed.
/// </summary>
public sealed record FrontIdentity(string Id)
{
    public static FrontIdentity ForThisProcess() =>
        new($"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
}
