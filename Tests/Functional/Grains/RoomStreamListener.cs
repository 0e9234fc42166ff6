using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>A test's ear on a room's stream.</summary>
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
}
