namespace OrleansChat.Hosting;

/// <summary>How the chat's processes form a cluster.</summary>
public enum ClusterMode
{
    /// <summary>One process: WebFront hosts its own silo, history in a local data folder. The default.</summary>
    Embedded,

    /// <summary>Separate Silo and WebFront processes: Redis holds membership and grain state.</summary>
    Redis,
}
