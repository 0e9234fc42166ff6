using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;
using OrleansChat.Grains;
using OrleansChat.Grains.Events;
using OrleansChat.WebFront.Hubs;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// Carries room events from Orleans to this front's browsers. It subscribes to a room's stream once per process,
/// while at least one local connection is in the room, and fans each event out to the room's SignalR group, so the
/// cost of a message on the stream does not grow with the number of browsers.
/// </summary>
public sealed partial class RoomStreamRelay(
    IClusterClient cluster,
    IHubContext<ChatHub> hub,
    ILogger<RoomStreamRelay> logger)
{
    private readonly Dictionary<string, RoomSubscription> _rooms = new(StringComparer.Ordinal);

    public static string GroupOf(string room) => "room:" + room;

    /// <summary>Makes sure this front receives the room's events; pair every call with <see cref="ReleaseAsync"/>.</summary>
    public async Task AcquireAsync(string room)
    {
        var subscription = Entry(room);
        await subscription.Gate.WaitAsync();
        try
        {
            if (subscription.References++ == 0)
            {
                var stream = cluster.GetStreamProvider(ChatStreams.ProviderName)
                    .GetStream<RoomEvent>(ChatStreams.ForRoom(room));
                subscription.Handle = await stream.SubscribeAsync((e, _) => RelayAsync(e));
                LogSubscribed(room);
            }
        }
        catch
        {
            subscription.References--;
            throw;
        }
        finally
        {
            subscription.Gate.Release();
        }
    }

    /// <summary>Drops this front's subscription once its last connection in the room is gone.</summary>
    public async Task ReleaseAsync(string room)
    {
        var subscription = Entry(room);
        await subscription.Gate.WaitAsync();
        try
        {
            if (--subscription.References == 0 && subscription.Handle is { } handle)
            {
                subscription.Handle = null;
                await handle.UnsubscribeAsync();
                LogUnsubscribed(room);
            }
        }
        finally
        {
            subscription.Gate.Release();
        }
    }

    private RoomSubscription Entry(string room)
    {
        lock (_rooms)
        {
            if (!_rooms.TryGetValue(room, out var subscription))
            {
                subscription = new RoomSubscription();
                _rooms.Add(room, subscription);
            }

            return subscription;
        }
    }

    private Task RelayAsync(RoomEvent roomEvent)
    {
        var group = hub.Clients.Group(GroupOf(roomEvent.Room));
        return roomEvent switch
        {
            MemberJoined joined => group.SendAsync(ChatEvents.Notice, ChatNotices.Joined(joined.Nickname)),
            MemberLeft left => group.SendAsync(ChatEvents.Notice, ChatNotices.Left(left.Nickname)),
            MessagePosted m => group.SendAsync(
                ChatEvents.Broadcast, new BroadcastMessage(m.Text, m.Nickname, m.Id, m.Seq, m.Room, m.At)),
            _ => Task.CompletedTask,
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Subscribed to room {Room}")]
    private partial void LogSubscribed(string room);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribed from room {Room}")]
    private partial void LogUnsubscribed(string room);

    private sealed class RoomSubscription
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int References { get; set; }

        public StreamSubscriptionHandle<RoomEvent>? Handle { get; set; }
    }
}
