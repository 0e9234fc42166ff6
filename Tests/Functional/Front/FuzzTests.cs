using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// Ten thousand random calls (any method, arguments of any shape and content) from a handful of clients. Each call
/// must end in a result or a clear error; the server must log nothing unhandled and keep serving a normal user.
/// </summary>
public sealed class FuzzTests(ChatFrontFactory front, ITestOutputHelper output) : IClassFixture<ChatFrontFactory>
{
    private const int Calls = 10_000;
    private const int Clients = 8;

    private static readonly string[] Methods =
        ["Register", "Message", "SendToRoom", "JoinRoom", "RejoinRoom", "LeaveRoom", "ListRooms", "History", "Typing", "Resume", "Kick", "Ban", "Unban", "Nope"];

    [Fact]
    public async Task Ten_thousand_random_calls_crash_nothing()
    {
        var random = new Random(20261126);
        var clients = new List<ChatClient>();
        for (var i = 0; i < Clients; i++)
        {
            clients.Add(await RegisteredAsync(i));
        }

        var (results, errors, closed) = (0, 0, 0);
        for (var call = 0; call < Calls; call++)
        {
            var index = random.Next(Clients);
            if (clients[index].Connection.State != HubConnectionState.Connected)
            {
                closed++;
                await clients[index].DisposeAsync();
                clients[index] = await RegisteredAsync(index);
            }

            var method = Methods[random.Next(Methods.Length)];
            var arguments = Enumerable.Range(0, random.Next(4)).Select(_ => RandomArgument(random)).ToArray();
            try
            {
                await clients[index].Connection.InvokeCoreAsync<object?>(method, arguments).WaitAsync(TimeSpan.FromSeconds(10));
                results++;
            }
            catch (HubException)
            {
                errors++;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or TaskCanceledException)
            {
                closed++;
            }
        }

        output.WriteLine($"{Calls} calls: {results} results, {errors} clear errors, {closed} closed connections; " +
            $"{front.Logs.Errors.Count} unhandled errors logged");
        Assert.Empty(front.Logs.Errors);
        await using var user = await front.ConnectAsync();
        await user.RegisterAsync("after-the-fuzz");
        var ack = await user.SendAsync("all good");
        Assert.True(ack.GetProperty("seq").GetInt64() > 0);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>Registered, so random calls get past "register first" and reach the grains.</summary>
    private async Task<ChatClient> RegisteredAsync(int index)
    {
        var client = await front.ConnectAsync();
        await client.RegisterAsync($"fuzz{index}-{Guid.NewGuid():N}"[..20]);
        return client;
    }

    private static object? RandomArgument(Random random) => random.Next(8) switch
    {
        0 => null,
        1 => random.Next(int.MinValue, int.MaxValue),
        2 => random.NextDouble() * 1e12,
        3 => new[] { RandomText(random, 5), RandomText(random, 5) },
        4 => new { room = RandomText(random, 10), epoch = RandomText(random, 8), lastSeq = random.NextInt64() },
        5 => RandomText(random, random.Next(3000)),
        6 => "geral",
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
