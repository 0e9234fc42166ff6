using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront;

/// <summary>Front-side behaviour. Bound from <c>OrleansChat:Front</c>.</summary>
public sealed class ChatFrontOptions
{
    public const string SectionName = "OrleansChat:Front";

    /// <summary>The shortest time between two typing announcements from one connection in one room.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan TypingInterval { get; set; } = TimeSpan.FromSeconds(2);
}
