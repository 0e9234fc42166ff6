namespace OrleansChat.Grains.Conversations;

/// <summary>One user's conversations, as stored: whose list it is, and the room names, oldest first.</summary>
[GenerateSerializer, Alias("OrleansChat.ConversationListState")]
public sealed class ConversationListState
{
    /// <summary>Whose list this is (<see cref="Interfaces.Conversations.ConversationMember.Owner"/>).</summary>
    [Id(0)]
    public Guid Owner { get; set; }

    [Id(1)]
    public List<string> Rooms { get; set; } = [];
}
