using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>The original's behaviour through the real SignalR client over WebSockets.</summary>
public sealed class ChatHubTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}-{_tag}";

    [Fact]
    public async Task Two_users_see_each_others_join_notice_word_for_word()
    {
        await using var ana = await front.ConnectAsync();
        await using var bia = await front.ConnectAsync();

        // Users of the class's earlier tests may still be leaving geral (a .NET client's stop can count as a closed
        // page, whose leave comes after the reload grace): their notices may come first, so each is looked for by text.
        var registered = await ana.RegisterAsync(Nick("ana"));
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");
        await bia.RegisterAsync(Nick("bia"));

        Assert.Equal(Nick("ana"), registered.GetProperty("nickname").GetString());
        Assert.Equal(ChatRules.DefaultRoom, registered.GetProperty("room").GetString());
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} entrou no chat.");
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} entrou no chat.");
    }

    [Fact]
    public async Task A_message_reaches_everyone_including_the_sender_with_every_field()
    {
        await using var ana = await front.ConnectAsync();
        await using var bia = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("ana"));
        await bia.RegisterAsync(Nick("bia"));
        var text = $"olá <b>{_tag}</b>\nsegunda linha";
        var before = DateTimeOffset.UtcNow;

        var ack = await ana.SendAsync("  " + text + "  ");

        var toAna = await ana.Events.FirstAsync(e => e.IsMessage(text));
        var toBia = await bia.Events.FirstAsync(e => e.IsMessage(text));
        foreach (var message in new[] { toAna.Broadcast!.Value, toBia.Broadcast!.Value })
        {
            Assert.Equal(Nick("ana"), message.GetProperty("nickname").GetString());
            Assert.Equal(ack.GetProperty("id").GetGuid(), message.GetProperty("id").GetGuid());
            Assert.Equal(ack.GetProperty("seq").GetInt64(), message.GetProperty("seq").GetInt64());
            Assert.Equal(ChatRules.DefaultRoom, message.GetProperty("room").GetString());
            var sentAt = message.GetProperty("sentAt").GetDateTimeOffset();
            Assert.Equal(TimeSpan.Zero, sentAt.Offset);
            Assert.InRange(sentAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        }
    }

    [Fact]
    public async Task Anonymous_mode_has_no_administrators()
    {
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("admin"));

        var kick = await Assert.ThrowsAsync<HubException>(() => ana.Connection.InvokeAsync("Kick", Nick("admin")));
        var ban = await Assert.ThrowsAsync<HubException>(() => ana.Connection.InvokeAsync("Ban", "geral", Nick("admin")));

        Assert.EndsWith(ChatErrors.NotAdmin, kick.Message);
        Assert.EndsWith(ChatErrors.NotAdmin, ban.Message);
    }

    [Fact]
    public async Task Sequence_numbers_of_consecutive_messages_grow_by_one()
    {
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("ana"));

        var first = (await ana.SendAsync("one")).GetProperty("seq").GetInt64();
        var second = (await ana.SendAsync("two")).GetProperty("seq").GetInt64();

        Assert.Equal(first + 1, second);
    }

    [Fact]
    public async Task Others_see_the_leave_notice_when_a_registered_user_disconnects()
    {
        await using var ana = await front.ConnectAsync();
        var bia = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("ana"));
        await bia.RegisterAsync(Nick("bia"));

        await bia.DisposeAsync();

        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} saiu do chat.");
    }

    [Theory]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task Clients_on_other_transports_leave_at_once_when_they_stop(HttpTransportType transport)
    {
        await using var ana = await front.ConnectAsync();
        var bia = await front.ConnectAsync(transport: transport);
        await ana.RegisterAsync(Nick("ana"));
        await bia.RegisterAsync(Nick("bia"));

        await bia.DisposeAsync();

        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} saiu do chat.");
    }

    [Fact]
    public async Task A_nickname_freed_by_a_disconnect_can_be_taken_again()
    {
        var bia = await front.ConnectAsync();
        await using var observer = await front.ConnectAsync();
        await observer.RegisterAsync(Nick("obs"));
        await bia.RegisterAsync(Nick("bia"));
        await bia.DisposeAsync();
        await observer.Events.FirstAsync(e => e.Notice == $"{Nick("bia")} saiu do chat.");

        await using var again = await front.ConnectAsync();
        var registered = await again.RegisterAsync(Nick("BIA"));

        Assert.Equal(Nick("BIA"), registered.GetProperty("nickname").GetString());
    }

    [Theory]
    [InlineData("ana")]
    [InlineData("ANA")]
    [InlineData("  Ana ")]
    public async Task A_duplicate_nickname_is_refused_and_the_owner_keeps_it(string variant)
    {
        await using var owner = await front.ConnectAsync();
        await using var thief = await front.ConnectAsync();
        await owner.RegisterAsync(Nick("Ana"));
        await owner.Events.FirstAsync(e => e.Notice == $"{Nick("Ana")} entrou no chat.");
        // Its own presence, which may share a presence_batch with a leave from the test before.
        await owner.Events.FirstAsync(e => e.Event == "presence" && e.Broadcast!.Value.GetProperty("nickname").GetString() == Nick("Ana"));
        var duplicate = variant.Replace("ana", Nick("ana"), StringComparison.OrdinalIgnoreCase);

        var error = await Assert.ThrowsAsync<HubException>(() => thief.RegisterAsync(duplicate));

        Assert.EndsWith(ChatErrors.NicknameTaken, error.Message);
        await AssertNothingAboutAsync(owner, duplicate.Trim());
        var ack = await owner.SendAsync("still mine");
        Assert.True(ack.GetProperty("seq").GetInt64() > 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123456789012345678901234567890123")]
    [InlineData("tab\tbed")]
    [InlineData("line\nbreak")]
    [InlineData("\u200B")]
    public async Task An_invalid_nickname_is_refused(string nickname)
    {
        await using var client = await front.ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => client.RegisterAsync(nickname));

        Assert.EndsWith(ChatErrors.InvalidNickname, error.Message);
        await client.RegisterAsync(Nick("valid"));
    }

    [Fact]
    public async Task A_null_nickname_is_refused()
    {
        await using var client = await front.ConnectAsync();

        var error = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<JsonElement>("Register", (string?)null));

        Assert.EndsWith(ChatErrors.InvalidNickname, error.Message);
    }

    [Fact]
    public async Task A_message_before_registering_is_refused()
    {
        await using var observer = await front.ConnectAsync();
        await using var anonymous = await front.ConnectAsync();
        await observer.RegisterAsync(Nick("obs"));

        var error = await Assert.ThrowsAsync<HubException>(() => anonymous.SendAsync($"ghost-{_tag}"));

        Assert.EndsWith(ChatErrors.NotRegistered, error.Message);
        await AssertNothingAboutAsync(observer, $"ghost-{_tag}");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    [InlineData("bell\u0007")]
    [InlineData("tab\there")]
    public async Task An_invalid_message_is_refused_and_not_broadcast(string text)
    {
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("ana"));

        var error = await Assert.ThrowsAsync<HubException>(() => ana.SendAsync(text));

        Assert.EndsWith(ChatErrors.InvalidMessage, error.Message);
        var marker = $"marker-{_tag}";
        await ana.SendAsync(marker);
        var broadcast = await ana.NextBroadcastAsync();
        Assert.Equal(marker, broadcast.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task An_oversized_message_is_refused()
    {
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("ana"));

        var error = await Assert.ThrowsAsync<HubException>(() => ana.SendAsync(new string('x', 2001)));

        Assert.EndsWith(ChatErrors.InvalidMessage, error.Message);
        var ok = await ana.SendAsync(new string('x', 2000));
        Assert.True(ok.GetProperty("seq").GetInt64() > 0);
    }

    [Fact]
    public async Task Registering_twice_from_one_connection_is_refused_and_keeps_the_first_nickname()
    {
        await using var ana = await front.ConnectAsync();
        await using var observer = await front.ConnectAsync();
        await ana.RegisterAsync(Nick("ana"));
        await observer.RegisterAsync(Nick("obs"));

        var error = await Assert.ThrowsAsync<HubException>(() => ana.RegisterAsync(Nick("other")));

        Assert.EndsWith(ChatErrors.AlreadyRegistered, error.Message);
        await ana.SendAsync($"after-{_tag}");
        var message = await observer.Events.FirstAsync(e => e.IsMessage($"after-{_tag}"));
        Assert.Equal(Nick("ana"), message.Broadcast!.Value.GetProperty("nickname").GetString());
        await using var other = await front.ConnectAsync();
        await other.RegisterAsync(Nick("other"));
    }

    /// <summary>
    /// Proves a refused call broadcast nothing: the observer posts a marker, and nothing mentioning the refused
    /// input may arrive before it (events on one connection arrive in order).
    /// </summary>
    private static async Task AssertNothingAboutAsync(ChatClient observer, string text)
    {
        var marker = $"marker-{Guid.NewGuid():N}";
        await observer.SendAsync(marker);
        while (true)
        {
            var next = await observer.Events.NextAsync();
            if (next.IsMessage(marker))
            {
                return;
            }

            var content = next.Notice ?? next.Broadcast?.GetRawText() ?? string.Empty;
            Assert.DoesNotContain(text, content, StringComparison.OrdinalIgnoreCase);
        }
    }
}
