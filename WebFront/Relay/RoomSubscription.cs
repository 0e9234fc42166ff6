using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.WebFront.Relay;

/// <summary>This front's subscription to one room's stream. Its room's feed starts and stops it under the room's gate.</summary>
internal sealed partial class RoomSubscription(string room, RelayServices services, Func<RoomEvent, Task> deliver)
{
    /// <summary>Asks a room for its epoch and last sequence number, without messages.</summary>
    public static readonly MessageQuery Bounds = new(1, long.MaxValue, 0);

    private readonly ILogger _logger = services.Logger;
    private StreamSubscriptionHandle<RoomEvent>? _handle;

    public bool IsActive => _handle is not null;

    /// <summary>
    /// Subscribes, then reads the room's stored bounds: whatever is published from then on is either before the seam
    /// (joiners read it from history, the feed drops it) or after it (and relayed).
    /// </summary>
    public async Task<MessageRange> StartAsync()
    {
        _handle = await services.StreamOf(room).SubscribeAsync((e, _) => deliver(e));
        try
        {
            var bounds = await services.Cluster.GetGrain<IChatRoomGrain>(room).GetMessages(Bounds);
            LogSubscribed(room, bounds.LastSeq);
            return bounds;
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    public async Task StopAsync()
    {
        if (_handle is not { } handle)
        {
            return;
        }

        _handle = null;
        await handle.UnsubscribeAsync();
        LogUnsubscribed(room);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribed to room {Room} at sequence {LastSeq}")]
    private partial void LogSubscribed(string room, long lastSeq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribed from room {Room}")]
    private partial void LogUnsubscribed(string room);
}
