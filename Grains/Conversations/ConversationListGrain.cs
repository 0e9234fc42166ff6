using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.Grains.Storage;

namespace OrleansChat.Grains.Conversations;

/// <summary>One user's conversations, for one owner at a time (<see cref="IConversationListGrain"/>).</summary>
public sealed class ConversationListGrain(
    [PersistentState("conversations", ChatStorage.History)] IPersistentState<ConversationListState> stored)
    : Grain, IConversationListGrain
{
    public async Task Add(ConversationListEntry entry)
    {
        if (stored.State.Owner != entry.Owner)
        {
            // The nickname's next holder, or an account after anonymous use: nothing of the last owner's carries over.
            stored.State = new ConversationListState { Owner = entry.Owner };
        }
        else if (stored.State.Rooms.Contains(entry.Room))
        {
            return;
        }

        stored.State.Rooms.Add(entry.Room);
        await stored.WriteStateAsync();
    }

    public Task<ConversationRooms> Get(ConversationListQuery query) => Task.FromResult(new ConversationRooms(
        stored.State.Owner == query.Owner ? stored.State.Rooms.ToList() : []));
}
