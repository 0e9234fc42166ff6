using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>A front with the production flood limits (and a small per-address connection cap).</summary>
public sealed class ProductionLimitsFrontFactory : ChatFrontFactory
{
    public const int ConnectionsPerAddress = 5;

    public ProductionLimitsFrontFactory()
    {
        var defaults = new ChatLimitsOptions();
        With("OrleansChat:Limits:MessagesPerSecond", defaults.MessagesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("OrleansChat:Limits:MessageBurst", defaults.MessageBurst.ToString());
        With("OrleansChat:Limits:JoinsPerSecond", defaults.JoinsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("OrleansChat:Limits:JoinBurst", defaults.JoinBurst.ToString());
        With("OrleansChat:Limits:OtherCallsPerSecond", defaults.OtherCallsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("OrleansChat:Limits:OtherCallBurst", defaults.OtherCallBurst.ToString());
        With("OrleansChat:Limits:ConnectionsPerAddress", ConnectionsPerAddress.ToString());
    }
}

/// <summary>Flooding gets a clear error or a clean close, and never slows or stops anyone else.</summary>
public sealed class FloodProtectionTests(ProductionLimitsFrontFactory front) : IClassFixture<ProductionLimitsFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_message_flood_is_refused_past_the_burst_and_the_sender_can_talk_again_later()
    {
        await using var flooder = await front.ConnectAsync();
        await using var bystander = await front.ConnectAsync();
        await flooder.RegisterAsync($"flood-{_tag}");
        await bystander.RegisterAsync($"calm-{_tag}");
        var burst = new ChatLimitsOptions().MessageBurst;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, burst * 2).Select(async i =>
        {
            try
            {
                await flooder.SendAsync($"flood {i}");
                return null;
            }
            catch (HubException ex)
            {
                return ex.Message;
            }
        }));

        var refused = outcomes.Where(o => o is not null).ToList();
        Assert.InRange(outcomes.Count(o => o is null), burst, burst + 5);
        Assert.All(refused, message => Assert.EndsWith(ChatErrors.RateLimited, message));
        var calm = await bystander.SendAsync($"still fine {_tag}");
        Assert.True(calm.GetProperty("seq").GetInt64() > 0);
        await flooder.Events.FirstAsync(e => e.IsMessage($"still fine {_tag}"));
        await WithinAsync(TimeSpan.FromSeconds(3), () => flooder.SendAsync("later"));
    }

    [Fact]
    public async Task An_oversized_frame_closes_only_that_connection()
    {
        await using var bystander = await front.ConnectAsync();
        await bystander.RegisterAsync($"calm-{_tag}");
        var attacker = await front.ConnectAsync();
        var closed = new TaskCompletionSource<Exception?>();
        attacker.Connection.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        _ = attacker.Connection.SendAsync("Message", new string('x', 200_000));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var ack = await bystander.SendAsync($"after the attack {_tag}");
        Assert.True(ack.GetProperty("seq").GetInt64() > 0);
        await attacker.DisposeAsync();
    }

    [Fact]
    public async Task Connections_per_client_address_are_capped_with_429()
    {
        var connections = new List<ChatClient>();
        try
        {
            for (var i = 0; i < ProductionLimitsFrontFactory.ConnectionsPerAddress; i++)
            {
                connections.Add(await front.ConnectAsync());
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, await front.WebSocketUpgradeStatusAsync());

            await connections[0].DisposeAsync();
            connections.RemoveAt(0);
            await WithinAsync(TimeSpan.FromSeconds(5), async () => connections.Add(await front.ConnectAsync()));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Retries an action that is expected to start working within <paramref name="timeout"/>.</summary>
    private static async Task WithinAsync(TimeSpan timeout, Func<Task> action)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await action();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
