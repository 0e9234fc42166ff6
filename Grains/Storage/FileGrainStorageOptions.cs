namespace OrleansChat.Grains.Storage;

/// <summary>Where and how durably <see cref="FileGrainStorage"/> keeps grain state.</summary>
public sealed class FileGrainStorageOptions
{
    /// <summary>
    /// The folder that holds the state files; created at start-up. Give each provider (and each silo) a folder of its
    /// own: the provider assumes it is the only writer, and a relative path is taken from the working directory.
    /// </summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>
    /// Forces each write to the disk before it is acknowledged, so that it survives a crash of the OS or a power cut
    /// and not just of the process. Costs a few milliseconds per write; turn it off only where state may be lost.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;
}
