using OrleansChat.Grains.Interfaces.Conversations;

namespace OrleansChat.Grains.Conversations;

/// <summary>A conversation's participants, as stored; empty until it is opened.</summary>
[GenerateSerializer, Alias("OrleansChat.ConversationState")]
public sealed class ConversationState
{
    [Id(0)]
    public List<ConversationMember> Members { get; set; } = [];
}
