namespace OrleansChat.Grains.Interfaces.Conversations;

/// <summary>
/// Who is in one direct conversation, keyed by the conversation's room name (<see cref="ConversationIds"/>). The
/// conversation itself is an ordinary <see cref="Rooms.IChatRoomGrain"/> under the same name, which asks this grain
/// whom to admit; everything else a room does (history, resume, read positions, mentions) works for it unchanged.
/// </summary>
[Alias("OrleansChat.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores the participants if the conversation is new, and puts it on each participant's list
    /// (<see cref="IConversationListGrain"/>). Opening an existing one changes nothing and returns its participants,
    /// so a retry, or a pair opened again, is the same conversation.
    /// </summary>
    [Alias("Open")]
    Task<ConversationMembers> Open(OpenConversationRequest request);

    /// <summary>The participants; none if no conversation has this name.</summary>
    [Alias("GetMembers")]
    Task<ConversationMembers> GetMembers();
}

/// <param name="Members">Everyone in the conversation, the opener first.</param>
[GenerateSerializer, Immutable, Alias("OrleansChat.OpenConversationRequest")]
public sealed record OpenConversationRequest([property: Id(0)] IReadOnlyList<ConversationMember> Members);
