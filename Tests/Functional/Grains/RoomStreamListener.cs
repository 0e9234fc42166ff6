using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>A test's ear on a room's stream, or a user's.</summary>
public static class RoomStreamListener
{
    /// <summary>Subscribes to a room's stream and collects what it carries.</summary>
    public static async Task<Inbox<RoomEvent>> ListenAsync(this IClusterClient client, string room)
    {
        var inbox = new Inbox<RoomEvent>();
        var stream = client.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomEvent>(ChatStreams.ForRoom(room));
        await stream.SubscribeAsync((e, _) =>
        {
            inbox.Add(e);
            return Task.CompletedTask;
        });
        return inbox;
    }

    /// <summary>Subscribes to a user's stream (by nickname key) and collects what it carries.</summary>
    public static async Task<Inbox<UserEvent>> ListenToUserAsync(this IClusterClient client, string userKey)
    {
        var inbox = new Inbox<UserEvent>();
        var stream = client.GetStreamProvider(ChatStreams.ProviderName).GetStream<UserEvent>(ChatStreams.ForUser(userKey));
        await stream.SubscribeAsync((e, _) =>
        {
            inbox.Add(e);
            return Task.CompletedTask;
        });
        return inbox;
    }
}
