using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.Grains.Interfaces.Rules;

namespace OrleansChat.Grains.Rooms;

/// <summary>
/// Who may join a room: anyone for a public room; for a direct conversation, only its participants
/// (<see cref="IConversationGrain"/>). Participants never change once a conversation exists, so the room asks once
/// and keeps the answer; a name that is no conversation yet is asked again, since it may be opened later.
/// </summary>
public sealed class ConversationDoor(IGrainFactory grains, string room)
{
    private ConversationMembers? _members;

    public async Task<bool> AdmitsAsync(string userKey, Guid sessionId)
    {
        if (!ChatRules.IsConversation(room))
        {
            return true;
        }

        if (_members is null)
        {
            var members = await grains.GetGrain<IConversationGrain>(room).GetMembers();
            if (!members.Exists)
            {
                return false;
            }

            _members = members;
        }

        return _members.Admits(userKey, sessionId);
    }
}
