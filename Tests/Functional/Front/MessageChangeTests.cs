using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Issue 17: the author edits and deletes their message, members react to it. Each change reaches every member once as
/// <c>message_updated</c>, is numbered in the room's sequence, and history shows the message as it now is.
/// </summary>
public sealed class MessageChangeTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>, IAsyncLifetime
{
    private readonly List<ChatClient> _clients = [];

    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    private string Room => $"dev{_tag}";

    [Fact]
    public async Task An_edit_reaches_every_member_once_and_history_shows_the_latest_text()
    {
        var (ana, bia) = await TwoInRoomAsync();
        var seq = await PostAsync(ana, $"helo @{Nick("caio")}");

        var returned = await ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq, $"hello @{Nick("bia")}");
        var next = (await ana.SendToRoomAsync(Room, "after")).GetProperty("seq").GetInt64();

        var updated = await NextUpdateAsync(bia);
        Assert.Equal((seq, $"hello @{Nick("bia")}", Nick("ana"), Nick("ana"), false), (
            updated.GetProperty("seq").GetInt64(), updated.GetProperty("msg").GetString(), updated.GetProperty("nickname").GetString(),
            updated.GetProperty("by").GetString(), updated.GetProperty("deleted").GetBoolean()));
        Assert.Equal([Nick("bia")], updated.GetProperty("mentions").EnumerateArray().Select(m => m.GetString()));
        Assert.True(updated.TryGetProperty("editedAt", out _));
        // The edit took the number after the message, so numbering stays gapless and a resume can find it.
        var updatedSeq = updated.GetProperty("updatedSeq").GetInt64();
        Assert.Equal((seq + 1, seq + 2), (updatedSeq, next));
        Assert.Equal(updatedSeq, returned.GetProperty("updatedSeq").GetInt64());
        await bia.Events.FirstAsync(e => e.IsMessage("after"));

        var history = await HistoryAsync(bia);
        Assert.Equal([$"hello @{Nick("bia")}", "after"], history.Select(m => m.GetProperty("msg").GetString()));
        Assert.Equal(updatedSeq, history[0].GetProperty("updatedSeq").GetInt64());
        Assert.True(history[0].TryGetProperty("editedAt", out _));
        Assert.False(history[1].TryGetProperty("updatedSeq", out _));
    }

    [Fact]
    public async Task Editing_to_the_same_text_again_changes_nothing()
    {
        var (ana, bia) = await TwoInRoomAsync();
        var seq = await PostAsync(ana, "typo");

        var first = await ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq, "fixed");
        var again = await ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq, "fixed");
        await ana.SendToRoomAsync(Room, "next");

        var seen = await bia.EventsUntilMessageAsync("next");
        Assert.Single(seen, e => e.Event == "message_updated");
        Assert.Equal(first.GetProperty("updatedSeq").GetInt64(), again.GetProperty("updatedSeq").GetInt64());
    }

    [Fact]
    public async Task A_deleted_message_keeps_its_place_as_a_tombstone()
    {
        var (ana, bia) = await TwoInRoomAsync();
        var seq = await PostAsync(ana, "oops");
        await bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "😂", true);

        await ana.Connection.InvokeAsync<JsonElement>("DeleteMessage", Room, seq);

        var deleted = await bia.Events.FirstAsync(e => e.Event == "message_updated" && e.Broadcast!.Value.GetProperty("deleted").GetBoolean());
        Assert.Equal((seq, "", 0), (
            deleted.Broadcast!.Value.GetProperty("seq").GetInt64(), deleted.Broadcast.Value.GetProperty("msg").GetString(),
            deleted.Broadcast.Value.GetProperty("reactions").GetArrayLength()));
        var tombstone = Assert.Single(await HistoryAsync(bia));
        Assert.Equal((seq, true, ""), (
            tombstone.GetProperty("seq").GetInt64(), tombstone.GetProperty("deleted").GetBoolean(), tombstone.GetProperty("msg").GetString()));
        // Gone for editing and reacting; deleting again is a harmless repeat.
        await AssertRefusedAsync(ChatErrors.MessageNotFound, () => ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq, "back"));
        await AssertRefusedAsync(ChatErrors.MessageNotFound, () => bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "👍", true));
        Assert.True((await ana.Connection.InvokeAsync<JsonElement>("DeleteMessage", Room, seq)).GetProperty("deleted").GetBoolean());
    }

    [Fact]
    public async Task Only_the_author_edits_or_deletes_and_bad_requests_get_clear_errors()
    {
        var (ana, bia) = await TwoInRoomAsync();
        var seq = await PostAsync(ana, "mine");
        var caio = await RegisteredAsync("caio");

        await AssertRefusedAsync(ChatErrors.NotYourMessage, () => bia.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq, "theirs"));
        await AssertRefusedAsync(ChatErrors.NotYourMessage, () => bia.Connection.InvokeAsync<JsonElement>("DeleteMessage", Room, seq));
        await AssertRefusedAsync(ChatErrors.NotInRoom, () => caio.Connection.InvokeAsync<JsonElement>("React", Room, seq, "👍", true));
        await AssertRefusedAsync(ChatErrors.MessageNotFound, () => ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq + 100, "x"));
        await AssertRefusedAsync(ChatErrors.MessageNotFound, () => ana.Connection.InvokeAsync<JsonElement>("React", Room, 0L, "👍", true));
        await AssertRefusedAsync(ChatErrors.InvalidMessage, () => ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq, new string('x', 2001)));
        await AssertRefusedAsync(ChatErrors.InvalidMessage, () => ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, seq, "  "));
        await AssertRefusedAsync(ChatErrors.InvalidReaction, () => bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "🦄", true));
        await AssertRefusedAsync(ChatErrors.InvalidReaction, () => bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, null, true));

        // Nothing above changed the message, numbered anything, or reached bia.
        await ana.SendToRoomAsync(Room, "still");
        Assert.DoesNotContain(await bia.EventsUntilMessageAsync("still"), e => e.Event == "message_updated");
        var history = await HistoryAsync(bia);
        Assert.Equal(["mine", "still"], history.Select(m => m.GetProperty("msg").GetString()));
        Assert.Equal(seq + 1, history[1].GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Reactions_toggle_with_counts_and_who_and_are_bounded_per_member()
    {
        var (ana, bia) = await TwoInRoomAsync();
        var seq = await PostAsync(ana, "react to me");

        await bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "👍", true);
        await ana.Connection.InvokeAsync<JsonElement>("React", Room, seq, "👍", true);
        await bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "👍", true);
        var both = await bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "🎉", true);
        await bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "❤️", true);
        await AssertRefusedAsync(ChatErrors.TooManyReactions, () => bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "😮", true));
        var last = await bia.Connection.InvokeAsync<JsonElement>("React", Room, seq, "👍", false);

        Assert.Equal(
            [("👍", 2, $"{Nick("bia")},{Nick("ana")}"), ("🎉", 1, Nick("bia"))],
            Reactions(both));
        Assert.Equal([("👍", 1, Nick("ana")), ("❤️", 1, Nick("bia")), ("🎉", 1, Nick("bia"))], Reactions(last));
        // The repeated 👍 changed nothing: five changes, five updates, each after the one before.
        var updates = new List<JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            updates.Add(await NextUpdateAsync(ana));
        }

        Assert.Equal(Reactions(last), Reactions(updates[^1]));
        Assert.Equal(updates.Select(u => u.GetProperty("updatedSeq").GetInt64()).Order(), updates.Select(u => u.GetProperty("updatedSeq").GetInt64()));
        var stored = Assert.Single(await HistoryAsync(ana));
        Assert.Equal(Reactions(last), Reactions(stored));
    }

    [Fact]
    public async Task A_client_that_was_away_gets_each_change_once_when_it_resumes()
    {
        await using var proxy = new TcpProxy(front.BaseAddress);
        var ana = await RegisteredAsync("ana");
        var bia = await front.ConnectAsync(proxy.Address);
        var token = (await bia.RegisterAsync(Nick("bia"))).GetProperty("resumeToken").GetString();
        await ana.JoinRoomAsync(Room);
        var joined = await bia.JoinRoomAsync(Room);
        var kept = await PostAsync(ana, "kept");
        var edited = await PostAsync(ana, "draft");
        await bia.Events.FirstAsync(e => e.IsMessage("draft"));

        proxy.DropAll();
        await bia.Closed.Task.WaitAsync(Inbox<int>.DefaultTimeout);
        await ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, edited, "final");
        await ana.Connection.InvokeAsync<JsonElement>("React", Room, kept, "🎉", true);
        var late = await PostAsync(ana, "late");
        await ana.Connection.InvokeAsync<JsonElement>("EditMessage", Room, late, "late, edited");
        await bia.DisposeAsync();

        await using var back = await front.ConnectAsync();
        var position = new { room = Room, epoch = joined.GetProperty("epoch").GetString(), lastSeq = edited };
        var resumed = await back.Connection.InvokeAsync<JsonElement>("Resume", token, new[] { position });
        await ana.SendToRoomAsync(Room, "after");
        var live = await back.EventsUntilMessageAsync("after");

        var room = resumed.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room").GetString() == Room);
        Assert.True(room.GetProperty("recovered").GetBoolean());
        // What the front had relayed when the resume read history came in the result, the rest live: together, every
        // entry numbered while bia was away (three changes and a message), each once.
        var entries = room.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64())
            .Concat(room.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("updatedSeq").GetInt64()))
            .Concat(live.Where(e => e.Event == "broadcast_message" && !e.IsMessage("after")).Select(e => e.Broadcast!.Value.GetProperty("seq").GetInt64()))
            .Concat(live.Where(e => e.Event == "message_updated").Select(e => e.Broadcast!.Value.GetProperty("updatedSeq").GetInt64()));
        Assert.Equal([edited + 1, edited + 2, edited + 3, edited + 4], entries.Order());
        // Applied as a client does (section 9), they leave every message as it now is.
        var shown = new Dictionary<long, (string Text, long UpdatedSeq)>
        {
            [kept] = ("kept", 0),
            [edited] = ("draft", 0),
        };
        var states = room.GetProperty("messages").EnumerateArray()
            .Concat(room.GetProperty("updates").EnumerateArray())
            .Concat(live.Where(e => e.Event is "broadcast_message" or "message_updated" && !e.IsMessage("after")).Select(e => e.Broadcast!.Value));
        foreach (var state in states)
        {
            var updatedSeq = state.TryGetProperty("updatedSeq", out var u) ? u.GetInt64() : 0;
            var seq = state.GetProperty("seq").GetInt64();
            if (!shown.TryGetValue(seq, out var current) || updatedSeq > current.UpdatedSeq)
            {
                shown[seq] = (state.GetProperty("msg").GetString()!, updatedSeq);
            }
        }

        Assert.Equal(["kept", "final", "late, edited"], shown.OrderBy(m => m.Key).Select(m => m.Value.Text));
    }

    private static List<(string Emoji, int Count, string By)> Reactions(JsonElement message) =>
        message.TryGetProperty("reactions", out var reactions)
            ? [.. reactions.EnumerateArray().Select(r => (
                r.GetProperty("emoji").GetString()!, r.GetProperty("count").GetInt32(),
                string.Join(',', r.GetProperty("by").EnumerateArray().Select(n => n.GetString()))))]
            : [];

    private static async Task<JsonElement> NextUpdateAsync(ChatClient client) =>
        (await client.Events.FirstAsync(e => e.Event == "message_updated")).Broadcast!.Value;

    private static async Task AssertRefusedAsync(string error, Func<Task> call) =>
        Assert.EndsWith(error, (await Assert.ThrowsAsync<HubException>(call)).Message);

    private async Task<List<JsonElement>> HistoryAsync(ChatClient client) =>
        [.. (await client.Connection.InvokeAsync<JsonElement>("History", Room, null, 50)).GetProperty("messages").EnumerateArray()];

    private async Task<long> PostAsync(ChatClient client, string text) =>
        (await client.SendToRoomAsync(Room, text)).GetProperty("seq").GetInt64();

    private async Task<(ChatClient Ana, ChatClient Bia)> TwoInRoomAsync()
    {
        var ana = await RegisteredAsync("ana");
        var bia = await RegisteredAsync("bia");
        await ana.JoinRoomAsync(Room);
        await bia.JoinRoomAsync(Room);
        return (ana, bia);
    }

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        _clients.Add(client);
        await client.RegisterAsync(Nick(name));
        return client;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }
}
