using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront.Settings;

/// <summary>Direct conversations. Bound from <c>OrleansChat:Conversations</c>.</summary>
public sealed class ConversationOptions
{
    public const string SectionName = "OrleansChat:Conversations";

    /// <summary>
    /// The most people in one conversation, its opener included: a direct message is between few people, and every
    /// one of them is joined to it at once when it opens.
    /// </summary>
    [Range(2, 64)]
    public int MaxMembers { get; set; } = 8;
}
