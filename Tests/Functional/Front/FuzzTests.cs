using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Grains.Interfaces.Conversations;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;
using Xunit.Abstractions;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>A front that lets a user have one connection, so that strangers' resumes reach that limit too.</summary>
public sealed class OneConnectionFrontFactory : ChatFrontFactory
{
    public OneConnectionFrontFactory() => With("OrleansChat:Rooms:MaxConnectionsPerUser", "1");
}

/// <summary>
/// Ten thousand random calls (any method, arguments of any shape and content) from a handful of clients: registered
/// ones, and strangers that try to take sessions with real, tampered and made-up resume tokens. Each call must end in a
/// result or a clear error, except a frame over the size limit, which must close its connection and nothing else;
/// the server must log nothing unhandled and keep serving a normal user.
/// </summary>
public sealed class FuzzTests(OneConnectionFrontFactory front, ITestOutputHelper output) : IClassFixture<OneConnectionFrontFactory>
{
    private const int Calls = 10_000;
    private const int Clients = 8;

    /// <summary>Clients after the registered ones that stay unregistered: a call that gives them a session is undone.</summary>
    private const int Strangers = 2;

    /// <summary>The largest frame the front reads (<c>MaximumReceiveMessageSize</c>, left at its default here).</summary>
    private static readonly int MaximumFrame = new ChatLimitsOptions().MaximumReceiveMessageSize;

    private static readonly IHubProtocol Protocol = new JsonHubProtocol();

    /// <summary>What a client is told when the front closes its connection for a protocol violation.</summary>
    private const string ClosedWithAnError = "The server closed the connection with the following error: Connection closed with an error.";

    private static readonly string[] Methods =
        ["Register", "Message", "SendToRoom", "SendToRoomOnce", "JoinRoom", "RejoinRoom", "LeaveRoom", "ListRooms", "History", "Typing", "Resume", "Kick", "Ban", "Unban", "MarkRead", "EditMessage", "DeleteMessage", "React", "OpenConversation", "Conversations", "Nope"];

    [Fact]
    public async Task Ten_thousand_random_calls_crash_nothing()
    {
        var random = new Random(20261126);
        var clients = new List<ChatClient>();
        var invocations = new List<int>();
        var tokens = new List<string>();
        for (var i = 0; i < Clients + Strangers; i++)
        {
            clients.Add(i < Clients ? await RegisteredAsync(i, tokens) : await front.ConnectAsync());
            invocations.Add(1);
        }

        var (results, errors, dropped) = (0, 0, 0);
        var errorTexts = new HashSet<string>(StringComparer.Ordinal);
        for (var call = 0; call < Calls; call++)
        {
            var index = random.Next(Clients + Strangers);
            var stranger = index >= Clients;
            var method = stranger && random.Next(2) == 0 ? "Resume" : Methods[random.Next(Methods.Length)];
            var arguments = Enumerable.Range(0, random.Next(5)).Select(_ => RandomArgument(random, tokens)).ToArray();
            // Half of these two get arguments of the right shape, so that they reach the checks past binding.
            if (method == "Resume" && random.Next(2) == 0)
            {
                arguments = [RandomToken(random, tokens), null];
            }
            else if (method == "MarkRead" && random.Next(2) == 0)
            {
                arguments = [random.Next(2) == 0 ? "geral" : RandomText(random, 8), random.NextInt64(-5, long.MaxValue)];
            }
            else if (method is "EditMessage" or "DeleteMessage" or "React" && random.Next(2) == 0)
            {
                // Someone's message, one's own, one that does not exist; a reaction of the set or not.
                object?[] target = [random.Next(4) == 0 ? RandomText(random, 8) : "geral", random.NextInt64(-2, 400)];
                arguments = method switch
                {
                    "EditMessage" => [.. target, RandomText(random, random.Next(2) == 0 ? 20 : 2100)],
                    "React" => [.. target, random.Next(3) == 0 ? RandomText(random, 2) : ChatRules.Reactions[random.Next(ChatRules.Reactions.Count)], random.Next(2) == 0],
                    _ => target,
                };
            }
            else if (method == "OpenConversation" && random.Next(2) == 0)
            {
                arguments = [Enumerable.Range(0, random.Next(12)).Select(_ => random.Next(2) == 0 ? RandomText(random, 8) : $"nobody{random.Next(100)}").ToArray()];
            }
            else if (method == "JoinRoom" && random.Next(4) == 0)
            {
                arguments = [ConversationIds.NewGroup()];
            }

            // The frame exactly as the client writes it, with the invocation id it is about to use.
            var invocationId = (++invocations[index]).ToString(CultureInfo.InvariantCulture);
            var frameBytes = Protocol.GetMessageBytes(new InvocationMessage(invocationId, method, arguments)).Length;
            var oversized = frameBytes > MaximumFrame;
            Assert.True(clients[index].Connection.State == HubConnectionState.Connected,
                $"call {call}: the server had dropped client {index}, which sent only frames within the limit");
            try
            {
                await clients[index].Connection.InvokeCoreAsync<object?>(method, arguments).WaitAsync(TimeSpan.FromSeconds(10));
                Assert.False(oversized, $"call {call}: a {frameBytes}-byte {method} frame was answered");
                results++;
                if (stranger && method is "Resume" or "Register")
                {
                    // It took a session (one dropped for an oversized frame, or a new nickname): a stranger again.
                    await clients[index].DisposeAsync();
                    clients[index] = await front.ConnectAsync();
                    invocations[index] = 1;
                    continue;
                }
            }
            catch (HubException ex) when (!oversized)
            {
                errors++;
                errorTexts.Add(ex.Message);
            }
            catch (Exception) when (oversized)
            {
                // Its connection closes; whether the pending call saw that as a HubException or a cancellation
                // depends on what arrived first. The close itself is checked below.
            }

            if (oversized)
            {
                var closedWith = await clients[index].Closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.Equal(ClosedWithAnError, closedWith?.Message);
                dropped++;
                await clients[index].DisposeAsync();
                clients[index] = stranger ? await front.ConnectAsync() : await RegisteredAsync(index, tokens);
                invocations[index] = 1;
            }
        }

        output.WriteLine($"{Calls} calls: {results} results, {errors} clear errors, {dropped} connections dropped for " +
            $"frames over {MaximumFrame} bytes; {front.Logs.Errors.Count} unhandled errors logged");
        Assert.Empty(front.Logs.Errors);
        // Each call above checked that the server dropped a connection for every frame over the limit and for nothing
        // else; the seed must make some, or that limit went untested.
        Assert.True(dropped > 0, "no frame crossed the size limit");
        // Strangers holding real tokens of connected users, tampered tokens and made-up ones were all refused clearly.
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.TooManyConnections, StringComparison.Ordinal));
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.SessionExpired, StringComparison.Ordinal));
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.InvalidReadPosition, StringComparison.Ordinal));
        // Edits, deletes and reactions of others' messages, of missing ones, and with emoji outside the set.
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.NotYourMessage, StringComparison.Ordinal));
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.MessageNotFound, StringComparison.Ordinal));
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.InvalidReaction, StringComparison.Ordinal));
        // Direct messages to nobody, to too many, and into conversations that are not the caller's.
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.NotOnline, StringComparison.Ordinal));
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.ConversationTooBig, StringComparison.Ordinal));
        Assert.Contains(errorTexts, text => text.EndsWith(ChatErrors.NoSuchConversation, StringComparison.Ordinal));
        Assert.All(clients, client => Assert.False(client.Closed.Task.IsCompleted, "a client was dropped after its last call"));
        await using var user = await front.ConnectAsync();
        await user.RegisterAsync("after-the-fuzz");
        var ack = await user.SendAsync("all good");
        Assert.True(ack.GetProperty("seq").GetInt64() > 0);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>
    /// Registered, so random calls get past "register first" and reach the grains; its resume token goes into the
    /// pool strangers try.
    /// </summary>
    private async Task<ChatClient> RegisteredAsync(int index, List<string> tokens)
    {
        var client = await front.ConnectAsync();
        var registered = await client.RegisterAsync($"fuzz{index}-{Guid.NewGuid():N}"[..20]);
        tokens.Add(registered.GetProperty("resumeToken").GetString()!);
        return client;
    }

    /// <summary>A registered client's real resume token, or one with its secret or its nickname part tampered with.</summary>
    private static string RandomToken(Random random, List<string> tokens)
    {
        var (token, other) = (tokens[random.Next(tokens.Count)], tokens[random.Next(tokens.Count)]);
        var dot = token.IndexOf('.');
        return random.Next(3) switch
        {
            0 => token,
            1 => token[..(dot + 1)] + new string(token[(dot + 1)..].Reverse().ToArray()),
            _ => other[..other.IndexOf('.')] + token[dot..],
        };
    }

    private static object? RandomArgument(Random random, List<string> tokens) => random.Next(10) switch
    {
        9 => RandomToken(random, tokens),
        0 => null,
        1 => random.Next(int.MinValue, int.MaxValue),
        2 => random.NextDouble() * 1e12,
        3 => new[] { RandomText(random, 5), RandomText(random, 5) },
        4 => new { room = RandomText(random, 10), epoch = RandomText(random, 8), lastSeq = random.NextInt64() },
        // Now and then a text that may not fit in one frame, so that the size limit is crossed too.
        5 => RandomText(random, random.Next(random.Next(50) == 0 ? 12_000 : 3000)),
        6 => "geral",
        7 => new Guid(Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256)).ToArray()).ToString(),
        _ => RandomText(random, random.Next(40)),
    };

    /// <summary>Any UTF-16 units: control characters, bidi overrides, zero-width and unpaired surrogates included.</summary>
    private static string RandomText(Random random, int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(4) switch
            {
                0 => (char)random.Next(0x00, 0x20),
                1 => (char)random.Next(0x2000, 0x2070),
                2 => (char)random.Next(0xD800, 0xE000),
                _ => (char)random.Next(0x20, 0x3000),
            });
        }

        return text.ToString();
    }
}
