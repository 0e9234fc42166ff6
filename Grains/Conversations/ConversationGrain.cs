using Microsoft.Extensions.Logging;
using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Conversations;

/// <summary>
/// The participants of one direct conversation, written once when it is opened and never changed. A grain of its own
/// rather than more state on the room: a public room then reads nothing more when it activates, and a conversation's
/// room asks here once per activation (<see cref="Rooms.ConversationDoor"/>).
/// </summary>
public sealed partial class ConversationGrain(
    [PersistentState("conversation", ChatStorage.History)] IPersistentState<ConversationState> stored,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private string Room => this.GetPrimaryKeyString();

    public async Task<ConversationMembers> Open(OpenConversationRequest request)
    {
        if (stored.State.Members.Count == 0)
        {
            // The front checked these; a grain does not trust its callers.
            var members = request.Members.DistinctBy(m => m.UserKey).ToList();
            if (!ChatRules.IsConversation(Room) || members.Count < 2 || members.Count != request.Members.Count)
            {
                return new ConversationMembers([]);
            }

            stored.State.Members = members;
            await stored.WriteStateAsync();
            LogOpened(Room, members.Count);
        }

        // Every time, not only the first: a list that missed the entry (a failed call) gets it on the retry.
        await Task.WhenAll(stored.State.Members.Select(m =>
            GrainFactory.GetGrain<IConversationListGrain>(m.UserKey).Add(new ConversationListEntry(m.Owner, Room))));
        return new ConversationMembers(stored.State.Members);
    }

    public Task<ConversationMembers> GetMembers() => Task.FromResult(new ConversationMembers(stored.State.Members));

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {Room} opened with {Members} participants")]
    private partial void LogOpened(string room, int members);
}
