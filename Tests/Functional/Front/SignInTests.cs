using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Grains.Interfaces.Rules;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>Jwt mode: only signed-in users connect, and each one's nickname is the one its token names.</summary>
public sealed class SignInTests(SignedInFrontFactory front) : IClassFixture<SignedInFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task Connections_without_a_valid_token_are_refused_with_401()
    {
        using var http = new HttpClient { BaseAddress = front.BaseAddress };
        var negotiate = HubRoute.Path + "/negotiate?negotiateVersion=1";

        var anonymous = await http.PostAsync(negotiate, null);
        var forged = await http.PostAsync($"{negotiate}&access_token={TestTokens.Forged(Nick("ana"))}", null);
        var webSocket = await Assert.ThrowsAsync<WebSocketException>(() =>
            new ClientWebSocket().ConnectAsync(new Uri(front.BaseAddress.ToString().Replace("http", "ws") + "hubs/chat"), default));
        var client = await Assert.ThrowsAnyAsync<Exception>(() => front.ConnectAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("401", webSocket.Message);
        Assert.Contains("401", client.Message);
    }

    [Fact]
    public async Task A_browser_passes_its_token_in_the_query_string()
    {
        using var http = new HttpClient { BaseAddress = front.BaseAddress };

        var negotiate = await http.PostAsync(
            $"{HubRoute.Path}/negotiate?negotiateVersion=1&access_token={front.Tokens.For(Nick("ana"))}", null);

        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
    }

    [Fact]
    public async Task Register_binds_the_nickname_to_the_tokens_claim()
    {
        await using var ana = await front.SignInAsync(Nick("Ana"));
        await using var bia = await front.SignInAsync(Nick("Bia"));

        var byNull = await ana.Connection.InvokeAsync<JsonElement>("Register", (string?)null);
        var byOtherCase = await bia.RegisterAsync(Nick("BIA"));

        Assert.Equal(Nick("Ana"), byNull.GetProperty("nickname").GetString());
        Assert.Equal(Nick("Bia"), byOtherCase.GetProperty("nickname").GetString());
        // Not necessarily the first notice: an earlier test's users may still be leaving geral.
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("Ana")} entrou no chat.");
        await ana.Events.FirstAsync(e => e.Notice == $"{Nick("Bia")} entrou no chat.");
    }

    [Fact]
    public async Task A_user_cannot_take_another_users_nickname()
    {
        await using var mallory = await front.SignInAsync(Nick("mallory"));

        var free = await Assert.ThrowsAsync<HubException>(() => mallory.RegisterAsync(Nick("ana")));

        Assert.EndsWith(ChatErrors.AccountNickname, free.Message);
        Assert.Equal(Nick("mallory"), (await mallory.RegisterAsync(Nick("mallory"))).GetProperty("nickname").GetString());
    }

    [Fact]
    public async Task Only_the_same_account_can_resume_a_session()
    {
        await using var ana = await front.SignInAsync(Nick("ana"));
        var token = (await ana.RegisterAsync(Nick("ana"))).GetProperty("resumeToken").GetString();
        await using var thief = await front.SignInAsync(Nick("mallory"));
        await using var anaAgain = await front.SignInAsync(Nick("ana"));

        var stolen = await Assert.ThrowsAsync<HubException>(() =>
            thief.Connection.InvokeAsync<JsonElement>("Resume", token, null));
        var resumed = await anaAgain.Connection.InvokeAsync<JsonElement>("Resume", token, null);

        Assert.EndsWith(ChatErrors.SessionExpired, stolen.Message);
        Assert.Equal(Nick("ana"), resumed.GetProperty("nickname").GetString());
    }

    [Fact]
    public async Task A_second_device_of_the_account_joins_its_open_session_with_its_rooms_and_nobody_sees_it()
    {
        await using var bia = await front.SignInAsync(Nick("bia"));
        await bia.RegisterAsync(null);
        await using var laptop = await front.SignInAsync(Nick("ana"));
        var laptopToken = (await laptop.RegisterAsync(null)).GetProperty("resumeToken").GetString();
        await laptop.JoinRoomAsync($"dev{_tag}");
        await bia.Events.FirstAsync(e => e.Notice == $"{Nick("ana")} entrou no chat.");

        await using var phone = await front.SignInAsync(Nick("ana"));
        var registered = await phone.RegisterAsync(null);

        Assert.Equal(Nick("ana"), registered.GetProperty("nickname").GetString());
        Assert.Equal(ChatRules.DefaultRoom, registered.GetProperty("joined").GetProperty("room").GetString());
        Assert.Equal([$"dev{_tag}"], registered.GetProperty("otherRooms").EnumerateArray().Select(r => r.GetProperty("room").GetString()));
        var phoneToken = registered.GetProperty("resumeToken").GetString();
        Assert.NotEqual(laptopToken, phoneToken);

        // Each device's token resumes the one session (a third tab here), and nobody saw a second join.
        await using var tablet = await front.SignInAsync(Nick("ana"));
        await tablet.ResumeAsync(phoneToken);
        await phone.SendAsync("from the phone");
        var seen = await bia.EventsUntilMessageAsync("from the phone");

        Assert.DoesNotContain(seen, e => e.Notice is not null && e.Notice.StartsWith(Nick("ana"), StringComparison.Ordinal));
        await laptop.Events.FirstAsync(e => e.IsMessage("from the phone"));
        await tablet.Events.FirstAsync(e => e.IsMessage("from the phone"));
    }
}
