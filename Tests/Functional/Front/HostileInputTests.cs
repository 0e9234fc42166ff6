using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Raw SignalR frames a well-behaved client never sends. Each gets an error completion or a clean close; the server
/// and everyone else carry on, and nothing is logged as an unhandled error.
/// </summary>
public sealed class HostileInputTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    private const char RecordSeparator = '\u001e';

    /// <summary>A call that always answers (with "register first"): what arrives before it answers came from the frame.</summary>
    private const string Barrier = """{"type":1,"invocationId":"barrier","target":"ListRooms","arguments":[]}""";

    /// <summary>Each frame, and what its sender is told: the error of invocation "1", or (null) a close.</summary>
    public static TheoryData<string, string, string?> Frames => new()
    {
        { "unknown method", """{"type":1,"invocationId":"1","target":"DropTables","arguments":[]}""", UnknownMethod("DropTables") },
        { "wrong argument type", """{"type":1,"invocationId":"1","target":"Register","arguments":[{"a":1}]}""", BindingFailed("Register") },
        { "too many arguments", """{"type":1,"invocationId":"1","target":"Register","arguments":["a","b","c"]}""", BindingFailed("Register") },
        { "too few arguments", """{"type":1,"invocationId":"1","target":"SendToRoom","arguments":["geral"]}""", BindingFailed("SendToRoom") },
        { "message id not a guid", """{"type":1,"invocationId":"1","target":"SendToRoomOnce","arguments":["geral","hi","1; drop",0]}""", Refused("SendToRoomOnce", ChatErrors.InvalidMessageId) },
        { "text for afterSeq", """{"type":1,"invocationId":"1","target":"SendToRoomOnce","arguments":["geral","hi","3f2c9a4e-8d1b-4c6f-a0e7-5b9d2c1e7f30","x"]}""", BindingFailed("SendToRoomOnce") },
        { "null argument", """{"type":1,"invocationId":"1","target":"Message","arguments":[null]}""", Refused("Message", ChatErrors.NotRegistered) },
        { "lone surrogate nickname", """{"type":1,"invocationId":"1","target":"Register","arguments":["\ud800x"]}""", BindingFailed("Register") },
        { "path traversal room", """{"type":1,"invocationId":"1","target":"JoinRoom","arguments":["../../etc/passwd"]}""", Refused("JoinRoom", ChatErrors.NotRegistered) },
        { "number for a long", """{"type":1,"invocationId":"1","target":"History","arguments":["geral","NaN",5]}""", BindingFailed("History") },
        { "text for a read position", """{"type":1,"invocationId":"1","target":"MarkRead","arguments":["geral","9e99"]}""", BindingFailed("MarkRead") },
        { "read position unregistered", """{"type":1,"invocationId":"1","target":"MarkRead","arguments":["geral",9223372036854775807]}""", Refused("MarkRead", ChatErrors.NotRegistered) },
        { "malformed json", "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Register\",\"arguments\":[\"", null },
        { "not json at all", "\u0000\u0001garbage", null },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public async Task A_hostile_frame_gets_its_error_or_a_clean_close_and_harms_no_one(string name, string frame, string? error)
    {
        await using var bystander = await front.ConnectAsync();
        await bystander.RegisterAsync($"calm-{Guid.NewGuid():N}"[..20]);
        var errorsBefore = front.Logs.Errors.Count;
        using var socket = await OpenAsync();

        await SendAsync(socket, frame);
        // Twice: SignalR's parser stops at a record it skips (an unknown type) until more data arrives. The barrier
        // answers too (with "register first"), so only the record for invocation "1" counts as the frame's answer.
        await SendAsync(socket, Barrier);
        await SendAsync(socket, Barrier);
        var answer = await ReceiveAsync(socket);

        if (error is null)
        {
            Assert.True(answer is null || answer.StartsWith("""{"type":7""", StringComparison.Ordinal), $"{name}: the server answered {answer}");
        }
        else
        {
            Assert.NotNull(answer);
            var completion = JsonDocument.Parse(answer).RootElement;
            Assert.Equal((3, "1"), (completion.GetProperty("type").GetInt32(), completion.GetProperty("invocationId").GetString()));
            Assert.Equal(error, completion.GetProperty("error").GetString());
        }

        var ack = await bystander.SendAsync("still here");
        Assert.True(ack.GetProperty("seq").GetInt64() > 0);
        Assert.True(errorsBefore == front.Logs.Errors.Count, string.Join("\n", front.Logs.Errors));
    }

    /// <summary>The texts SignalR and the hub answer with (docs/protocol.md, "Errors").</summary>
    private static string Refused(string method, string error) =>
        $"An unexpected error occurred invoking '{method}' on the server. HubException: {error}";

    private static string UnknownMethod(string method) =>
        $"Failed to invoke '{method}' due to an error on the server. HubException: Method does not exist.";

    /// <summary>Arguments that do not bind (a lone surrogate is not valid JSON text either) never reach the hub.</summary>
    private static string BindingFailed(string method) => $"Failed to invoke '{method}' due to an error on the server.";

    /// <summary>
    /// SignalR skips a record of an unknown type and then waits for more data before it parses what follows, so such a
    /// connection may stall; what matters is that nobody else notices and nothing is logged.
    /// </summary>
    [Fact]
    public async Task An_unknown_message_type_harms_no_one_else()
    {
        await using var bystander = await front.ConnectAsync();
        await bystander.RegisterAsync($"calm-{Guid.NewGuid():N}"[..20]);
        var errorsBefore = front.Logs.Errors.Count;
        using var socket = await OpenAsync();

        await SendAsync(socket, """{"type":99,"invocationId":"1"}""");

        var ack = await bystander.SendAsync("still here");
        Assert.True(ack.GetProperty("seq").GetInt64() > 0);
        Assert.True(errorsBefore == front.Logs.Errors.Count, string.Join("\n", front.Logs.Errors));
    }

    [Fact]
    public async Task A_lone_surrogate_is_refused_and_the_connection_can_still_register()
    {
        using var socket = await OpenAsync();

        await SendAsync(socket, """{"type":1,"invocationId":"7","target":"Register","arguments":["\udc00"]}""");
        var refused = JsonDocument.Parse((await ReceiveAsync(socket))!).RootElement;
        await SendAsync(socket, """{"type":1,"invocationId":"8","target":"Register","arguments":["surrogate-survivor"]}""");
        var registered = JsonDocument.Parse((await ReceiveAsync(socket, skipEvents: true))!).RootElement;

        Assert.Equal("7", refused.GetProperty("invocationId").GetString());
        Assert.True(refused.TryGetProperty("error", out _));
        Assert.Equal("surrogate-survivor", registered.GetProperty("result").GetProperty("nickname").GetString());
    }

    private async Task<ClientWebSocket> OpenAsync()
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(new Uri(front.BaseAddress, HubRoute.Path)) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        await SendAsync(socket, """{"protocol":"json","version":1}""");
        var handshake = await ReceiveAsync(socket);
        Assert.Equal("{}", handshake);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string frame) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(frame + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next record that is not a ping (nor an event, if asked), or null once the server closed.</summary>
    private static async Task<string?> ReceiveAsync(ClientWebSocket socket, bool skipEvents = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var pending = new StringBuilder();
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (WebSocketException)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            var records = pending.ToString().Split(RecordSeparator);
            pending.Clear().Append(records[^1]);
            foreach (var record in records[..^1])
            {
                if (record != """{"type":6}""" && !(skipEvents && record.StartsWith("""{"type":1,""", StringComparison.Ordinal)))
                {
                    return record;
                }
            }
        }
    }
}
