using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace OrleansChat.Bench.LoadTool;

/// <summary>The <c>broadcast_message</c> fields the load tool checks; <c>seq</c> is 0 on the plain hub's peers that lack it.</summary>
public sealed record Broadcast(string Msg, string Nickname, long Seq, string? Room);

/// <summary>
/// One simulated user: a SignalR connection over WebSockets that registers, receives and checks every
/// <c>broadcast_message</c>, and can send. Message text is <c>b|sender|counter|timestamp</c>, the timestamp from
/// this process's <see cref="Stopwatch"/>, so latency needs no clock sync. The SignalR client runs one handler at a
/// time per connection; the lock only guards against that ever changing. Membership events (<c>message</c> notices,
/// <c>presence</c>, <c>presence_batch</c>) are counted, and the room's <c>memberCount</c> they carry is kept as this
/// client's view of the room; servers that send none of them (the plain hub, older OrleansChat) are fine.
/// </summary>
public sealed class ChatClient(int index, string nickname, string room, RunTotals totals, bool checkSeq)
{
    private readonly object _gate = new();
    private readonly Dictionary<int, long> _lastCounter = [];
    private readonly Dictionary<int, long> _received = [];
    private long _lastSeq = -1;
    private int _joinedCount = NoMemberCount;
    private int _eventCount = NoMemberCount;
    private HubConnection? _connection;

    private const int NoMemberCount = -1;

    public int Index { get; } = index;

    public string Room { get; } = room;

    private long _sent;
    private long _sendErrors;

    /// <summary>Messages handed to the connection (numbered 0, 1, 2, … in the text).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Sends that failed or were refused.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Register was answered.</summary>
    public bool Registered { get; private set; }

    /// <summary>
    /// The room's member count as this client sees it once members have only arrived, or null if the server never
    /// said: the later of the count at its join and the count of the last membership event. Which is later cannot be
    /// told by arrival, because the client runs event handlers and invocation results on different threads, and an
    /// event may come before or after the join's answer; while members only arrive, the later is the larger.
    /// </summary>
    public int? MemberCount => Math.Max(Volatile.Read(ref _joinedCount), Volatile.Read(ref _eventCount)) is var count
        and not NoMemberCount ? count : null;

    public async Task ConnectAndRegisterAsync(string url, bool joinRoom, CancellationToken cancel)
    {
        // Several comma-separated URLs (fronts of a cluster): client i takes URL i mod count.
        var urls = url.Split(',');
        var connection = new HubConnectionBuilder()
            .WithUrl(urls[Index % urls.Length], HttpTransportType.WebSockets, o => o.SkipNegotiation = true)
            .Build();
        connection.On<Broadcast>("broadcast_message", OnBroadcast);
        connection.On<string>("message", _ => OnMembership(ref totals.Notices, 1));
        connection.On<JsonElement>("presence", presence =>
        {
            OnMembership(ref totals.PresenceChanges, 1);
            SeeMemberCount(presence);
        });
        connection.On<JsonElement>("presence_batch", batch =>
        {
            OnMembership(ref totals.PresenceChanges,
                batch.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array ? changes.GetArrayLength() : 0);
            SeeMemberCount(batch);
        });
        _connection = connection;
        await connection.StartAsync(cancel);
        var registered = await connection.InvokeAsync<JsonElement>("Register", nickname, cancel);
        Registered = true;
        if (registered.ValueKind == JsonValueKind.Object && registered.TryGetProperty("joined", out var joined))
        {
            SeeJoined(joined);
        }

        if (joinRoom)
        {
            SeeJoined(await connection.InvokeAsync<JsonElement>("JoinRoom", Room, cancel));
        }
    }

    /// <summary>
    /// Sends one message and completes with its acknowledgement. The message is numbered before the first await,
    /// so a caller may start the next send without waiting (open loop); the connection keeps their order.
    /// </summary>
    public async Task SendAsync(bool toRoom)
    {
        var started = Stopwatch.GetTimestamp();
        var text = $"b|{Index}|{Interlocked.Increment(ref _sent) - 1}|{started}";
        try
        {
            await (toRoom
                ? _connection!.InvokeAsync<JsonElement>("SendToRoom", Room, text)
                : _connection!.InvokeAsync<JsonElement>("Message", text));
            totals.AckLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception)
        {
            // A refused send may or may not have been delivered; it is not expected anywhere, and a receiver
            // that sees it anyway counts it out of order. Counted so a run with errors never looks clean.
            Interlocked.Increment(ref _sendErrors);
        }
    }

    /// <summary>How many messages this receiver got from <paramref name="sender"/>, duplicates excluded.</summary>
    public long ReceivedFrom(int sender)
    {
        lock (_gate)
        {
            return _received.GetValueOrDefault(sender);
        }
    }

    public Task DisposeAsync() => _connection?.DisposeAsync().AsTask() ?? Task.CompletedTask;

    private void OnMembership(ref long counter, long changes)
    {
        Interlocked.Add(ref counter, changes);
        Interlocked.Exchange(ref totals.LastMembershipTimestamp, Stopwatch.GetTimestamp());
    }

    private void SeeJoined(JsonElement joined)
    {
        if (TryGetMemberCount(joined, out var count))
        {
            Volatile.Write(ref _joinedCount, count);
        }
    }

    /// <summary>Handlers run one at a time in the order the server sent the events, so the last one is the latest.</summary>
    private void SeeMemberCount(JsonElement membershipEvent)
    {
        if (TryGetMemberCount(membershipEvent, out var count))
        {
            Volatile.Write(ref _eventCount, count);
        }
    }

    /// <summary>The <c>memberCount</c> of <paramref name="element"/> if it is about this client's room.</summary>
    private bool TryGetMemberCount(JsonElement element, out int count)
    {
        count = 0;
        return element.ValueKind == JsonValueKind.Object
            && (!element.TryGetProperty("room", out var room) || room.ValueKind != JsonValueKind.String || room.ValueEquals(Room))
            && element.TryGetProperty("memberCount", out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out count);
    }

    private void OnBroadcast(Broadcast message)
    {
        var now = Stopwatch.GetTimestamp();
        if (!TryParse(message.Msg, out var sender, out var counter, out var stamp))
        {
            Interlocked.Increment(ref totals.Foreign);
            return;
        }

        totals.Latency.Record(Stopwatch.GetElapsedTime(stamp, now).TotalMilliseconds);
        Interlocked.Increment(ref totals.Deliveries);
        Interlocked.Exchange(ref totals.LastDeliveryTimestamp, now);
        lock (_gate)
        {
            if (checkSeq)
            {
                if (_lastSeq >= 0 && message.Seq != _lastSeq + 1)
                {
                    Interlocked.Increment(ref totals.SeqAnomalies);
                }

                _lastSeq = Math.Max(_lastSeq, message.Seq);
            }

            var last = _lastCounter.GetValueOrDefault(sender, -1);
            if (counter <= last)
            {
                Interlocked.Increment(ref totals.Duplicated);
                return;
            }

            if (counter != last + 1)
            {
                Interlocked.Increment(ref totals.OutOfOrder);
            }

            _lastCounter[sender] = counter;
            _received[sender] = _received.GetValueOrDefault(sender) + 1;
        }
    }

    private static bool TryParse(string text, out int sender, out long counter, out long stamp)
    {
        sender = 0;
        counter = 0;
        stamp = 0;
        var parts = text.Split('|');
        return parts.Length == 4 && parts[0] == "b"
            && int.TryParse(parts[1], out sender)
            && long.TryParse(parts[2], out counter)
            && long.TryParse(parts[3], out stamp);
    }
}

/// <summary>Counters shared by every client of a run.</summary>
public sealed class RunTotals
{
    public readonly LatencyHistogram Latency = new();

    /// <summary>Send to acknowledgement: for OrleansChat, the hub, the room grain and its write.</summary>
    public readonly LatencyHistogram AckLatency = new();
    public long Deliveries;
    public long Duplicated;
    public long OutOfOrder;
    public long SeqAnomalies;
    public long Notices;

    /// <summary>Joins and leaves told by <c>presence</c> (one each) and <c>presence_batch</c> (its changes).</summary>
    public long PresenceChanges;
    public long Foreign;
    public long LastDeliveryTimestamp;
    public long LastMembershipTimestamp;
}
