using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Hosting;

/// <summary>Where a silo keeps chat history. Bound from <c>OrleansChat:Storage</c>.</summary>
public sealed record ChatStorageOptions
{
    public const string SectionName = "OrleansChat:Storage";

    /// <summary>Folder for durable history, relative to the content root unless absolute.</summary>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>fsync every write, so an acknowledged message survives an OS crash, not just a process crash.</summary>
    public bool FlushToDisk { get; set; } = true;
}
