using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace OrleansChat.Tests.Support;

/// <summary>A test's chat user: a real SignalR connection and, in arrival order, everything the server pushed.</summary>
public sealed class ChatClient : IAsyncDisposable
{
    public ChatClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<string>("message", notice => Events.Add(new Received("message", notice, null)));
        connection.On<JsonElement>("broadcast_message", m => Events.Add(new Received("broadcast_message", null, m)));
        connection.On<JsonElement>("presence", p => Events.Add(new Received("presence", null, p)));
        // A batch is what a client makes of it: each change in order, as if it had come alone.
        connection.On<JsonElement>("presence_batch", batch =>
        {
            var number = Interlocked.Increment(ref _batches);
            foreach (var change in Expand(batch))
            {
                Events.Add(new Received("presence", null, change, Batch: number));
            }
        });
        connection.On<JsonElement>("typing", t => Events.Add(new Received("typing", null, t)));
        connection.On<JsonElement>("removed", r => Events.Add(new Received("removed", null, r)));
        connection.On<JsonElement>("history_reset", r => Events.Add(new Received("history_reset", null, r)));
        connection.On<JsonElement>("read_position", r => Events.Add(new Received("read_position", null, r)));
        connection.On<JsonElement>("room_joined", r => Events.Add(new Received("room_joined", null, r)));
        connection.On<JsonElement>("room_left", r => Events.Add(new Received("room_left", null, r)));
        connection.On<JsonElement>("message_updated", u => Events.Add(new Received("message_updated", null, u)));
        connection.Closed += error =>
        {
            Closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    private int _batches;

    public HubConnection Connection { get; }

    /// <summary>Completes when the connection closes, with the error it closed with, if any.</summary>
    public TaskCompletionSource<Exception?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Notices and broadcasts together, so tests can assert their relative order.</summary>
    public Inbox<Received> Events { get; } = new();

    public Task<JsonElement> RegisterAsync(string? nickname) => Connection.InvokeAsync<JsonElement>("Register", nickname);

    public Task<JsonElement> SendAsync(string text) => Connection.InvokeAsync<JsonElement>("Message", text);

    public async Task<string> NextNoticeAsync() => (await Events.FirstAsync(e => e.Notice is not null)).Notice!;

    public async Task<JsonElement> NextBroadcastAsync() =>
        (await Events.FirstAsync(e => e.Event == "broadcast_message")).Broadcast!.Value;

    public Task<JsonElement> ResumeAsync(string? token) => Connection.InvokeAsync<JsonElement>("Resume", token, null);

    public Task<JsonElement> JoinRoomAsync(string room) => Connection.InvokeAsync<JsonElement>("JoinRoom", room);

    public Task<JsonElement> SendToRoomAsync(string room, string text) =>
        Connection.InvokeAsync<JsonElement>("SendToRoom", room, text);

    public Task<JsonElement> SendToRoomOnceAsync(string room, string text, string messageId, long afterSeq) =>
        Connection.InvokeAsync<JsonElement>("SendToRoomOnce", room, text, messageId, afterSeq);

    /// <summary>Every event from the next one up to and including the message <paramref name="text"/>.</summary>
    public async Task<List<Received>> EventsUntilMessageAsync(string text)
    {
        var events = new List<Received>();
        do
        {
            events.Add(await Events.NextAsync());
        }
        while (!events[^1].IsMessage(text));

        return events;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    private static IEnumerable<JsonElement> Expand(JsonElement batch)
    {
        var room = batch.GetProperty("room").GetString();
        var count = batch.GetProperty("memberCount").GetInt32();
        foreach (var change in batch.GetProperty("changes").EnumerateArray())
        {
            yield return JsonSerializer.SerializeToElement(new
            {
                room,
                nickname = change.GetProperty("nickname").GetString(),
                kind = change.GetProperty("kind").GetString(),
                memberCount = count,
            });
        }
    }

    /// <summary>
    /// One event; <see cref="Broadcast"/> holds the payload of every object-valued event. <see cref="Batch"/> numbers
    /// the <c>presence_batch</c> a presence change came in (1, 2, …), or is 0 for one that came alone.
    /// </summary>
    public sealed record Received(string Event, string? Notice, JsonElement? Broadcast, int Batch = 0)
    {
        /// <summary>When it arrived, for tests that measure pauses in delivery.</summary>
        public DateTime At { get; } = DateTime.UtcNow;

        public string? Room => Broadcast?.GetProperty("room").GetString();

        public bool IsMessage(string text) => Event == "broadcast_message" && Broadcast!.Value.GetProperty("msg").GetString() == text;

        /// <summary>A <c>presence</c> change of <paramref name="nickname"/>: <c>joined</c> or <c>left</c>.</summary>
        public bool IsPresence(string nickname, string kind) =>
            Event == "presence"
            && Broadcast!.Value.GetProperty("nickname").GetString() == nickname
            && Broadcast.Value.GetProperty("kind").GetString() == kind;
    }
}
