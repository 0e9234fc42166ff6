using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Endpoints;

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

    public static TheoryData<string, string> Frames => new()
    {
        { "unknown method", """{"type":1,"invocationId":"1","target":"DropTables","arguments":[]}""" },
        { "wrong argument type", """{"type":1,"invocationId":"1","target":"Register","arguments":[{"a":1}]}""" },
        { "too many arguments", """{"type":1,"invocationId":"1","target":"Register","arguments":["a","b","c"]}""" },
        { "too few arguments", """{"type":1,"invocationId":"1","target":"SendToRoom","arguments":["geral"]}""" },
        { "null argument", """{"type":1,"invocationId":"1","target":"Message","arguments":[null]}""" },
        { "lone surrogate nickname", """{"type":1,"invocationId":"1","target":"Register","arguments":["\ud800x"]}""" },
        { "path traversal room", """{"type":1,"invocationId":"1","target":"JoinRoom","arguments":["../../etc/passwd"]}""" },
        { "number for a long", """{"type":1,"invocationId":"1","target":"History","arguments":["geral","NaN",5]}""" },
        { "malformed json", "{\"type\":1,\"invocationId\":\"1\",\"target\":\"Register\",\"arguments\":[\"" },
        { "not json at all", "\u0000\u0001garbage" },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public async Task A_hostile_frame_gets_an_error_or_a_clean_close_and_harms_no_one(string name, string frame)
    {
        await using var bystander = await front.ConnectAsync();
        await bystander.RegisterAsync($"calm-{Guid.NewGuid():N}"[..20]);
        var errorsBefore = front.Logs.Errors.Count;
        using var socket = await OpenAsync();

        await SendAsync(socket, frame);
        // Twice: SignalR's parser stops at a record it skips (an unknown type) until more data arrives.
        await SendAsync(socket, Barrier);
        await SendAsync(socket, Barrier);
        var answer = await ReceiveAsync(socket);

        // An error completion, a close, or (for frames that ask nothing) silence until the barrier's answer.
        Assert.True(answer is null || answer.Contains("\"error\"") || answer.Contains("\"type\":7"),
            $"{name}: the server answered {answer}");
        var ack = await bystander.SendAsync("still here");
        Assert.True(ack.GetProperty("seq").GetInt64() > 0);
        Assert.True(errorsBefore == front.Logs.Errors.Count, string.Join("\n", front.Logs.Errors));
    }

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
        var uri = new UriBuilder(new Uri(front.BaseAddress, ChatEndpoints.HubPath)) { Scheme = "ws" }.Uri;
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
