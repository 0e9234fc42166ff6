using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// A room under steady load on the real cluster: users spread over both fronts, all receiving, some of them sending
/// continuously (one send in flight each, as a person or a well-behaved client does). It records every
/// acknowledgement, and at the end checks what each user received against them: every acknowledged message exactly
/// once, in order. A send that fails is not acknowledged and not counted: its user saw an error. A user whose
/// connection closes does what protocol §9 asks of a client: it reconnects (to its front, or the other if that one
/// is down) and resumes its session, or registers again and rejoins the room from its position.
/// </summary>
public sealed class RoomLoad : IAsyncDisposable
{
    /// <summary>Between two sends of one sender: about 30 messages a second per sender, well below the front's limits.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(30);

    private readonly RedisClusterFixture _cluster;
    private readonly List<LoadUser> _users = [];
    private readonly List<Ack> _acks = [];
    private readonly Dictionary<string, int> _refusals = [];
    private int _sendErrors;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _senders = [];
    private readonly List<Task> _reconnects = [];
    private readonly List<(DateTime At, string Change)> _presence = [];
    private bool _disposing;

    private RoomLoad(RedisClusterFixture cluster, string room)
    {
        _cluster = cluster;
        Room = room;
    }

    public string Room { get; }

    public int Senders => _users.Count(u => u.Sends);

    public IReadOnlyList<LoadUser> Users => _users;

    /// <summary>
    /// Registers <paramref name="users"/> users alternately on front 0 and 1, joins them all to the room, then starts
    /// the first <paramref name="senders"/> sending (so senders too sit on both fronts).
    /// </summary>
    public static async Task<RoomLoad> StartAsync(RedisClusterFixture cluster, string tag, string room, int users, int senders)
    {
        var load = new RoomLoad(cluster, $"{room}-{tag}");
        for (var i = 0; i < users; i++)
        {
            var front = i % 2;
            var chat = await cluster.ConnectAsync(front);
            var registered = await chat.RegisterAsync($"u{i}-{tag}");
            var joined = await chat.JoinRoomAsync(load.Room);
            var user = new LoadUser(
                registered.GetProperty("nickname").GetString()!,
                front,
                sends: i < senders,
                registered.GetProperty("resumeToken").GetString()!,
                joined.GetProperty("epoch").GetString()!,
                joined.GetProperty("lastSeq").GetInt64(),
                chat);
            load._users.Add(user);
            load.WatchPresence(chat);
            load.ReconnectWhenClosed(user, chat);
        }

        foreach (var user in load._users.Where(u => u.Sends))
        {
            load._senders.Add(Task.Run(() => load.SendContinuouslyAsync(user)));
        }

        return load;
    }

    /// <summary>Waits until <paramref name="count"/> sends have been acknowledged after <paramref name="after"/>.</summary>
    public async Task WaitForAcksAfterAsync(DateTime after, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (AcksAfter(after) < count)
        {
            await FailIfAnyFailedAsync();
            Assert.True(DateTime.UtcNow < deadline,
                $"only {AcksAfter(after)} of {count} sends acknowledged within {timeout} after {after:HH:mm:ss.fff}; {Refusals}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until each of <paramref name="users"/> has taken its session back on a new connection after
    /// <paramref name="since"/>; returns the longest time from <paramref name="since"/> to that.
    /// </summary>
    public async Task<TimeSpan> WaitForReconnectsAsync(IReadOnlyList<LoadUser> users, DateTime since, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (users.Any(u => !(u.ReconnectedAt > since)))
        {
            await FailIfAnyFailedAsync();
            Assert.True(DateTime.UtcNow < deadline,
                $"{users.Count(u => !(u.ReconnectedAt > since))} of {users.Count} users did not reconnect within {timeout}");
            await Task.Delay(20);
        }

        return users.Max(u => u.ReconnectedAt!.Value) - since;
    }

    /// <summary>
    /// Stops the senders, waits until every user has received every acknowledged message (or
    /// <paramref name="timeout"/> has passed), and compares. <paramref name="faultAt"/> is when the fault struck.
    /// </summary>
    public async Task<LoadOutcome> StopAndCheckAsync(DateTime faultAt, TimeSpan timeout)
    {
        var stoppedAt = DateTime.UtcNow;
        await _stop.CancelAsync();
        await Task.WhenAll(_senders);
        await Task.WhenAll(Reconnects());
        List<Ack> acks;
        lock (_acks)
        {
            acks = [.. _acks.OrderBy(a => a.At)];
        }

        var acked = acks.Select(a => a.Seq).ToHashSet();
        var deadline = DateTime.UtcNow + timeout;
        var users = new List<UserOutcome>();
        foreach (var user in _users)
        {
            var received = await ReceiveAsync(user, acked, deadline);
            var arrivals = user.Arrivals.Where(t => t > faultAt && t <= stoppedAt).Order().Prepend(faultAt).ToList();
            var deliveryPause = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
            users.Add(new UserOutcome(
                user.Nickname,
                user.Front,
                user.Reconnects,
                user.RegisteredAgain,
                received.Count,
                [.. acked.Except(received).Order()],
                [.. received.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key)],
                received.Zip(received.Skip(1)).Count(p => p.Second < p.First),
                deliveryPause));
        }

        // The longest stretch without an acknowledgement from the fault on: how long users could not chat.
        var times = acks.Where(a => a.At > faultAt).Select(a => a.At).Prepend(faultAt).ToList();
        var longestPause = times.Zip(times.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
        // How long a user who pressed send after the fault waited for the first success.
        var firstAck = acks.Where(a => a.SentAt >= faultAt).Select(a => a.At - faultAt).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        return new LoadOutcome(
            _users.Count, Senders, acks.Count, acks.Count(a => a.At > faultAt), Volatile.Read(ref _sendErrors), longestPause, firstAck, users);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_reconnects)
        {
            _disposing = true;
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_senders).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var user in _users)
        {
            await user.Chat.DisposeAsync();
        }

        _stop.Dispose();
    }

    /// <summary>Joins and leaves any user was shown after <paramref name="since"/>, in any room.</summary>
    public IReadOnlyList<string> PresenceChangesSince(DateTime since)
    {
        lock (_presence)
        {
            return [.. _presence.Where(p => p.At > since).Select(p => p.Change)];
        }
    }

    /// <summary>The errors senders were shown, with how often: what users saw of the fault.</summary>
    public string Refusals
    {
        get
        {
            lock (_refusals)
            {
                return _refusals.Count == 0 ? "no send refused"
                    : "sends refused: " + string.Join("; ", _refusals.Select(r => $"{r.Value} × {r.Key}"));
            }
        }
    }

    private int AcksAfter(DateTime after)
    {
        lock (_acks)
        {
            return _acks.Count(a => a.At > after);
        }
    }

    private async Task SendContinuouslyAsync(LoadUser user)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var chat = user.Chat;
            var sentAt = DateTime.UtcNow;
            try
            {
                var ack = await chat.SendToRoomAsync(Room, $"{user.Nickname} {i}");
                lock (_acks)
                {
                    _acks.Add(new Ack(ack.GetProperty("seq").GetInt64(), sentAt, DateTime.UtcNow));
                }
            }
            catch (HubException ex)
            {
                // Refused (Unavailable while the cluster recovers): the user sees the error. Not acknowledged.
                var text = ErrorText(ex);
                lock (_refusals)
                {
                    _refusals[text] = _refusals.GetValueOrDefault(text) + 1;
                }

                Interlocked.Increment(ref _sendErrors);
            }
            catch (Exception ex) when (ex is OperationCanceledException || chat.Connection.State != HubConnectionState.Connected)
            {
                // The connection closed under the send (its front died or dropped it; the client cancels what was in
                // flight), or the user has not resumed on another front yet: the send failed in the user's face.
                // Not acknowledged.
                Interlocked.Increment(ref _sendErrors);
            }

            await Task.Delay(Pace);
        }
    }

    private void ReconnectWhenClosed(LoadUser user, ChatClient chat) => chat.Connection.Closed += _ =>
    {
        lock (_reconnects)
        {
            if (!_disposing)
            {
                _reconnects.Add(Task.Run(() => ReconnectAsync(user, chat)));
            }
        }

        return Task.CompletedTask;
    };

    /// <summary>
    /// Records joins and leaves as they arrive (the events also stay in the client's inbox, where the check reads
    /// only messages): a user who came back unseen makes none.
    /// </summary>
    private void WatchPresence(ChatClient chat)
    {
        void Record(string change)
        {
            lock (_presence)
            {
                _presence.Add((DateTime.UtcNow, change));
            }
        }

        chat.Connection.On<string>("message", notice =>
        {
            if (notice.EndsWith(" saiu do chat.", StringComparison.Ordinal) || notice.EndsWith(" entrou no chat.", StringComparison.Ordinal))
            {
                Record(notice);
            }
        });
        chat.Connection.On<JsonElement>("presence", p =>
            Record($"{p.GetProperty("nickname").GetString()} {p.GetProperty("kind").GetString()} {p.GetProperty("room").GetString()}"));
        chat.Connection.On<JsonElement>("presence_batch", b =>
        {
            foreach (var change in b.GetProperty("changes").EnumerateArray())
            {
                Record($"{change.GetProperty("nickname").GetString()} {change.GetProperty("kind").GetString()} {b.GetProperty("room").GetString()}");
            }
        });
    }

    private Task[] Reconnects()
    {
        lock (_reconnects)
        {
            return [.. _reconnects];
        }
    }

    private async Task FailIfAnyFailedAsync()
    {
        if (_senders.Concat(Reconnects()).FirstOrDefault(t => t.IsFaulted) is { } failed)
        {
            await failed;
        }
    }

    /// <summary>Protocol §9, as a client does it after its connection closed.</summary>
    private async Task ReconnectAsync(LoadUser user, ChatClient closed)
    {
        // The closed connection received all it ever will: keep it, in order, as what this user saw so far.
        user.Earlier.AddRange(Drain(user, closed, Room));
        var position = Math.Max(user.JoinedAt, user.Earlier.LastOrDefault());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var attempt = 0; ; attempt++)
        {
            // Its own front first; the other when that one is gone.
            var front = (user.Front + attempt) % 2;
            ChatClient chat;
            try
            {
                chat = await _cluster.ConnectAsync(front);
            }
            catch (Exception ex) when (ex is HttpRequestException or System.Net.WebSockets.WebSocketException && DateTime.UtcNow < deadline)
            {
                continue;
            }

            try
            {
                var recovered = await TakeSessionBackAsync(user, chat, position);
                Assert.True(recovered.GetProperty("recovered").GetBoolean(), $"{user.Nickname} came back without recovering the room");
                var resumedAt = DateTime.UtcNow;
                foreach (var message in recovered.GetProperty("messages").EnumerateArray())
                {
                    user.Earlier.Add(message.GetProperty("seq").GetInt64());
                    user.Arrivals.Add(resumedAt);
                }
                WatchPresence(chat);
                ReconnectWhenClosed(user, chat);
                user.ReconnectedTo(chat, front);
                await closed.DisposeAsync();
                return;
            }
            catch (HubException ex) when (ErrorText(ex) == ChatErrors.Unavailable && DateTime.UtcNow < deadline)
            {
                // What the protocol asks of a client after Unavailable: try again.
                await chat.DisposeAsync();
            }
        }
    }

    /// <summary>Resume; if the session has ended, register again and rejoin from the position. The room's RoomJoined.</summary>
    private async Task<JsonElement> TakeSessionBackAsync(LoadUser user, ChatClient chat, long position)
    {
        try
        {
            var resumed = await chat.Connection.InvokeAsync<JsonElement>(
                "Resume", user.Token, new[] { new { room = Room, epoch = user.Epoch, lastSeq = position } });
            return resumed.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == Room);
        }
        catch (HubException ex) when (ErrorText(ex) == ChatErrors.SessionExpired)
        {
            var registered = await chat.RegisterAsync(user.Nickname);
            user.Token = registered.GetProperty("resumeToken").GetString()!;
            user.RegisteredAgain = true;
            return await chat.Connection.InvokeAsync<JsonElement>("RejoinRoom", Room, user.Epoch, position);
        }
    }

    /// <summary>
    /// The sequence numbers <paramref name="user"/> received in the room, in arrival order, across every connection
    /// it had, once every acknowledged one is among them or the deadline has passed; then whatever else has arrived.
    /// </summary>
    private async Task<List<long>> ReceiveAsync(LoadUser user, HashSet<long> acked, DateTime deadline)
    {
        var received = new List<long>(user.Earlier);
        var missing = acked.Except(received).ToHashSet();
        while (missing.Count > 0 && DateTime.UtcNow < deadline)
        {
            try
            {
                var e = await user.Chat.Events.FirstAsync(e => e.Event == "broadcast_message" && e.Room == Room, deadline - DateTime.UtcNow);
                var seq = e.Broadcast!.Value.GetProperty("seq").GetInt64();
                user.Arrivals.Add(e.At);
                received.Add(seq);
                missing.Remove(seq);
            }
            catch (TimeoutException)
            {
                break;
            }
        }

        received.AddRange(Drain(user, user.Chat, Room));
        return received;
    }

    /// <summary>The chat's error text (protocol §3), as a client shows it: the part after "HubException: ".</summary>
    private static string ErrorText(HubException ex)
    {
        const string marker = "HubException: ";
        var at = ex.Message.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? ex.Message : ex.Message[(at + marker.Length)..];
    }

    private static IEnumerable<long> Drain(LoadUser user, ChatClient chat, string room)
    {
        while (chat.Events.TryTake(out var e))
        {
            if (e.Event == "broadcast_message" && e.Room == room)
            {
                user.Arrivals.Add(e.At);
                yield return e.Broadcast!.Value.GetProperty("seq").GetInt64();
            }
        }
    }

    private sealed record Ack(long Seq, DateTime SentAt, DateTime At);
}

/// <summary>One user of a <see cref="RoomLoad"/>: its current connection and what earlier ones received.</summary>
public sealed class LoadUser(string nickname, int front, bool sends, string token, string epoch, long joinedAt, ChatClient chat)
{
    private volatile ChatClient _chat = chat;

    public string Nickname { get; } = nickname;

    public int Front { get; private set; } = front;

    public bool Sends { get; } = sends;

    public string Token { get; set; } = token;

    public string Epoch { get; } = epoch;

    /// <summary>The room's seam when the user joined: it receives every message after it.</summary>
    public long JoinedAt { get; } = joinedAt;

    public ChatClient Chat => _chat;

    /// <summary>Sequence numbers received on connections before the current one, and on coming back, in order.</summary>
    public List<long> Earlier { get; } = [];

    public int Reconnects { get; private set; }

    /// <summary>When each room message reached this user, on any of its connections (or came back with a resume).</summary>
    public List<DateTime> Arrivals { get; } = [];

    /// <summary>When the user last took its session back on a new connection.</summary>
    public DateTime? ReconnectedAt { get; private set; }

    /// <summary>Its session had ended: it registered again and rejoined the room.</summary>
    public bool RegisteredAgain { get; set; }

    public void ReconnectedTo(ChatClient chat, int front)
    {
        _chat = chat;
        Front = front;
        Reconnects++;
        ReconnectedAt = DateTime.UtcNow;
    }
}

/// <summary>What one user received, compared with what was acknowledged.</summary>
public sealed record UserOutcome(
    string Nickname, int Front, int Reconnects, bool RegisteredAgain, int Received, IReadOnlyList<long> Lost, IReadOnlyList<long> Duplicated, int OutOfOrder,
    TimeSpan LongestDeliveryPause);

/// <summary>The result of a <see cref="RoomLoad"/> run across one fault.</summary>
public sealed record LoadOutcome(
    int Users, int Senders, int Acknowledged, int AcknowledgedAfterFault, int SendErrors, TimeSpan LongestPause, TimeSpan FirstAckAfterFault,
    IReadOnlyList<UserOutcome> PerUser)
{
    public int Lost => PerUser.Sum(u => u.Lost.Count);

    public int Duplicated => PerUser.Sum(u => u.Duplicated.Count);

    public int OutOfOrder => PerUser.Sum(u => u.OutOfOrder);

    /// <summary>The longest time, from the fault until the senders stopped, that any user received no room message.</summary>
    public TimeSpan LongestDeliveryPause => PerUser.Max(u => u.LongestDeliveryPause);

    public string Summary =>
        $"{Users} users, {Senders} senders: {Acknowledged} acknowledged ({AcknowledgedAfterFault} after the fault), {SendErrors} send errors; "
        + $"lost {Lost}, duplicated {Duplicated}, out of order {OutOfOrder}; longest pause in acknowledgements "
        + $"{LongestPause.TotalSeconds:F2} s, longest delivery pause {LongestDeliveryPause.TotalSeconds:F2} s, first acknowledgement of a send started after the fault {FirstAckAfterFault.TotalSeconds:F2} s";

    /// <summary>Per user, what went wrong (first few sequence numbers of each kind), for a failing assertion.</summary>
    public string Details => string.Join("\n", PerUser.Select(u =>
        $"  {u.Nickname} (front {u.Front}, {u.Reconnects} reconnects{(u.RegisteredAgain ? ", registered again" : "")}): received {u.Received}, "
        + $"lost [{string.Join(",", u.Lost.Take(20))}{(u.Lost.Count > 20 ? ",…" : "")}] ({u.Lost.Count}), "
        + $"duplicated [{string.Join(",", u.Duplicated.Take(20))}] ({u.Duplicated.Count}), out of order {u.OutOfOrder}, longest delivery pause {u.LongestDeliveryPause.TotalSeconds:F2} s"));

    /// <summary>The bar of issue 7: every acknowledged message reached every user once, in order.</summary>
    public void AssertNothingLostDuplicatedOrReordered()
    {
        Assert.True(Lost == 0 && Duplicated == 0 && OutOfOrder == 0, $"{Summary}\n{Details}");
    }
}
