namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>
/// Where events travel: one Orleans stream per room (<see cref="RoomEvent"/>) and one per user (<see cref="UserEvent"/>),
/// all under one provider, in a namespace each.
/// </summary>
public static class ChatStreams
{
    public const string ProviderName = "chat";
    public const string RoomNamespace = "room";
    public const string UserNamespace = "user";

    /// <summary>Storage the stream provider keeps its subscriptions in (the Orleans convention).</summary>
    public const string PubSubStore = "PubSubStore";

    public static StreamId ForRoom(string room) => StreamId.Create(RoomNamespace, room);

    /// <summary>The stream of one user, by user key (<see cref="Rules.ChatRules.KeyOf"/> of the nickname).</summary>
    public static StreamId ForUser(string userKey) => StreamId.Create(UserNamespace, userKey);
}
