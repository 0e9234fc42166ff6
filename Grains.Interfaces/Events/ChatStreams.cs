namespace OrleansChat.Grains.Interfaces.Events;

/// <summary>Where room events travel: one Orleans stream per room, all under one provider and namespace.</summary>
public static class ChatStreams
{
    public const string ProviderName = "chat";
    public const string RoomNamespace = "room";

    /// <summary>Storage the stream provider keeps its subscriptions in (the Orleans convention).</summary>
    public const string PubSubStore = "PubSubStore";

    public static StreamId ForRoom(string room) => StreamId.Create(RoomNamespace, room);
}
