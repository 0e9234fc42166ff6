namespace OrleansChat.Grains.Interfaces.Conversations;

/// <summary>
/// One user's direct conversations, keyed by the user key (<see cref="Rules.ChatRules.KeyOf"/> of the nickname), and
/// kept, like read positions, for one owner (<see cref="ConversationMember.Owner"/>): an entry for another owner
/// starts the list again, and a query from another owner gets nothing. So an anonymous user's list ends with the
/// session (the nickname's next holder is another owner), and an account's outlives its sessions.
/// </summary>
[Alias("OrleansChat.IConversationListGrain")]
public interface IConversationListGrain : IGrainWithStringKey
{
    /// <summary>Adds a conversation to the owner's list; one already on it changes nothing.</summary>
    [Alias("Add")]
    Task Add(ConversationListEntry entry);

    /// <summary>The owner's conversations, oldest first; none if the list is another owner's.</summary>
    [Alias("Get")]
    Task<ConversationRooms> Get(ConversationListQuery query);
}

[GenerateSerializer, Immutable, Alias("OrleansChat.ConversationListEntry")]
public sealed record ConversationListEntry([property: Id(0)] Guid Owner, [property: Id(1)] string Room);

[GenerateSerializer, Immutable, Alias("OrleansChat.ConversationListQuery")]
public sealed record ConversationListQuery([property: Id(0)] Guid Owner);

[GenerateSerializer, Immutable, Alias("OrleansChat.ConversationRooms")]
public sealed record ConversationRooms([property: Id(0)] IReadOnlyList<string> Rooms);
