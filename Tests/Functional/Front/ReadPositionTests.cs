using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Relay;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>MarkRead over the hub: a user's read position, pushed to their connections and given back by joins.</summary>
public sealed class ReadPositionTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task A_mark_reaches_the_users_connection_only_moves_forward_and_comes_back_on_resume()
    {
        await using var ana = await front.ConnectAsync();
        var token = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        await using var bia = await RegisteredAsync("bia");
        var room = await JoinBothAsync(ana, bia, "read");
        for (var i = 1; i <= 3; i++)
        {
            await bia.SendToRoomAsync(room, $"m{i}");
        }

        await ana.Connection.InvokeAsync("MarkRead", room, 2);
        await ana.Connection.InvokeAsync("MarkRead", room, 1); // behind the position: nothing, and no error

        var pushed = await ana.Events.FirstAsync(e => e.Event == "read_position");
        Assert.Equal((room, 2L), (pushed.Room, pushed.Broadcast!.Value.GetProperty("seq").GetInt64()));
        // The mark behind it moved nothing, and the other user hears nothing of it.
        await bia.SendToRoomAsync(room, "barrier");
        Assert.DoesNotContain(await UntilAsync(ana, "barrier"), e => e.Event == "read_position");
        Assert.DoesNotContain(await UntilAsync(bia, "barrier"), e => e.Event == "read_position");

        // Another connection of ana (today: a resume, which takes the session over) is given the position back.
        await using var anaAgain = await front.ConnectAsync();
        var resumed = await anaAgain.Connection.InvokeAsync<JsonElement>("Resume", token, null);
        Assert.Equal(2, ReadSeqOf(resumed.GetProperty("rooms"), room));
        Assert.Null(ReadSeqOf(resumed.GetProperty("rooms"), "geral")); // never marked

        await anaAgain.Connection.InvokeAsync("MarkRead", room, 4);
        var next = await anaAgain.Events.FirstAsync(e => e.Event == "read_position");
        Assert.Equal(4L, next.Broadcast!.Value.GetProperty("seq").GetInt64());
        var joinedAgain = await anaAgain.JoinRoomAsync(room);
        Assert.Equal(4L, joinedAgain.GetProperty("readSeq").GetInt64());
    }

    [Fact]
    public async Task A_mark_past_the_end_or_outside_the_users_rooms_is_refused_and_changes_nothing()
    {
        await using var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var room = await JoinBothAsync(ana, bia, "bounds");
        await bia.SendToRoomAsync(room, "only one");
        await using var stranger = await front.ConnectAsync();

        var pastTheEnd = await RefusedAsync(ana, room, 2);
        var zero = await RefusedAsync(ana, room, 0);
        var notJoined = await RefusedAsync(ana, $"elsewhere-{_tag}", 1);
        var badName = await RefusedAsync(ana, "", 1);
        var unregistered = await RefusedAsync(stranger, room, 1);

        Assert.EndsWith(ChatErrors.InvalidReadPosition, pastTheEnd);
        Assert.EndsWith(ChatErrors.InvalidReadPosition, zero);
        Assert.EndsWith(ChatErrors.NotInRoom, notJoined);
        Assert.EndsWith(ChatErrors.InvalidRoom, badName);
        Assert.EndsWith(ChatErrors.NotRegistered, unregistered);
        var joined = await ana.JoinRoomAsync(room);
        Assert.Equal(JsonValueKind.Null, joined.GetProperty("readSeq").ValueKind);
        await bia.SendToRoomAsync(room, "barrier");
        Assert.DoesNotContain(await UntilAsync(ana, "barrier"), e => e.Event == "read_position");
        await ana.Connection.InvokeAsync("MarkRead", room, 2); // the last message itself is fine
        Assert.Equal(2L, (await ana.JoinRoomAsync(room)).GetProperty("readSeq").GetInt64());
    }

    [Fact]
    public async Task A_stranger_who_takes_a_freed_nickname_does_not_inherit_its_read_positions()
    {
        var ana = await RegisteredAsync("ana");
        await using var bia = await RegisteredAsync("bia");
        var hello = (await bia.SendAsync($"hello {_tag}")).GetProperty("seq").GetInt64();
        await ana.Events.FirstAsync(e => e.IsMessage($"hello {_tag}"));
        await ana.Connection.InvokeAsync("MarkRead", "geral", hello);
        await ana.Events.FirstAsync(e => e.Event == "read_position");
        await ana.Connection.StopAsync(); // a clean close: the session ends and the nickname is free
        await ana.DisposeAsync();
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} saiu do chat.");

        await using var stranger = await front.ConnectAsync();
        var registered = await stranger.RegisterAsync(Nick("ana"));

        Assert.Equal(JsonValueKind.Null, registered.GetProperty("joined").GetProperty("readSeq").ValueKind);
    }

    [Fact]
    public async Task A_front_holds_a_users_stream_only_while_it_holds_a_connection_of_the_user()
    {
        var relay = front.Services.GetRequiredService<UserStreamRelay>();
        var before = relay.Subscribed;
        var ana = await front.ConnectAsync();
        var token = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        Assert.Equal(before + 1, relay.Subscribed);

        // A second connection of the user (another tab, with the token): still one subscription, also once the first
        // has gone.
        var anaAgain = await front.ConnectAsync();
        await anaAgain.Connection.InvokeAsync<JsonElement>("Resume", token, null);
        Assert.Equal(before + 1, relay.Subscribed);
        await ana.Connection.StopAsync();
        await ana.DisposeAsync();
        Assert.Equal(before + 1, relay.Subscribed);

        await anaAgain.Connection.StopAsync();
        await anaAgain.DisposeAsync();
        var deadline = DateTime.UtcNow + Inbox<ChatClient.Received>.DefaultTimeout;
        while (relay.Subscribed != before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(before, relay.Subscribed);
    }

    private async Task<ChatClient> RegisteredAsync(string name)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync(Nick(name));
        return client;
    }

    private async Task<string> JoinBothAsync(ChatClient first, ChatClient second, string name)
    {
        var room = $"{name}-{_tag}";
        await first.JoinRoomAsync(room);
        await second.JoinRoomAsync(room);
        return room;
    }

    /// <summary>Everything the client received up to and including a message.</summary>
    private static async Task<List<ChatClient.Received>> UntilAsync(ChatClient client, string text)
    {
        var seen = new List<ChatClient.Received>();
        await client.Events.FirstAsync(e =>
        {
            seen.Add(e);
            return e.IsMessage(text);
        });
        return seen;
    }

    private static async Task<string> RefusedAsync(ChatClient client, string room, long seq) =>
        (await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync("MarkRead", room, seq))).Message;

    private static long? ReadSeqOf(JsonElement rooms, string room)
    {
        var read = rooms.EnumerateArray().Single(r => r.GetProperty("room").GetString() == room).GetProperty("readSeq");
        return read.ValueKind == JsonValueKind.Null ? null : read.GetInt64();
    }
}

/// <summary>MarkRead draws on the "other calls" bucket like every other method, with the production limits.</summary>
public sealed class ReadPositionRateLimitTests(ProductionLimitsFrontFactory front) : IClassFixture<ProductionLimitsFrontFactory>
{
    [Fact]
    public async Task Marking_read_faster_than_the_limit_is_refused_past_the_burst()
    {
        await using var ana = await front.ConnectAsync();
        var registered = await ana.RegisterAsync($"reader-{Guid.NewGuid():N}"[..16]);
        await ana.SendAsync("something to read");
        var burst = new ChatLimitsOptions().OtherCallBurst;

        var outcomes = await Task.WhenAll(Enumerable.Range(1, burst * 2).Select(async _ =>
        {
            try
            {
                await ana.Connection.InvokeAsync("MarkRead", "geral", 1);
                return null;
            }
            catch (HubException ex)
            {
                return ex.Message;
            }
        }));

        // Register drew one token from the same bucket.
        Assert.InRange(outcomes.Count(o => o is null), burst - 1, burst + 5);
        Assert.All(outcomes.Where(o => o is not null), message => Assert.EndsWith(ChatErrors.RateLimited, message));
        Assert.Equal("geral", registered.GetProperty("room").GetString());
    }
}

/// <summary>
/// Signed in, read positions are the account's: stored with history, they outlive the session and a restart of the
/// front with its embedded silo (whose sessions do not).
/// </summary>
public sealed class ReadPositionRestartTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "orleanschat-read-" + Guid.NewGuid().ToString("N"));
    private readonly TestTokens _tokens = new();

    [Fact]
    public async Task An_accounts_read_position_survives_a_restart_of_the_front()
    {
        await using (var first = Front())
        {
            await using var ana = await first.ConnectAsync(accessToken: _tokens.For("ana"));
            await ana.RegisterAsync(null);
            for (var i = 1; i <= 5; i++)
            {
                await ana.SendAsync($"m{i}");
            }

            await ana.Connection.InvokeAsync("MarkRead", "geral", 3);
            await ana.Events.FirstAsync(e => e.Event == "read_position");
        }

        await using var second = Front();
        await using var anaAgain = await second.ConnectAsync(accessToken: _tokens.For("ana"));
        var registered = await anaAgain.RegisterAsync(null);

        var joined = registered.GetProperty("joined");
        Assert.Equal((5L, 3L), (joined.GetProperty("lastSeq").GetInt64(), joined.GetProperty("readSeq").GetInt64()));
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    /// <summary>Marks wait a minute before they are stored: only the graceful stop's deactivation can store this one.</summary>
    private ChatFrontFactory Front() =>
        _tokens.Configure(new ChatFrontFactory().WithDataPath(_data)).With("OrleansChat:Rooms:ReadPositionWriteDelay", "00:01:00");
}
