using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>Jwt mode with no clock skew, so a token is refused the moment it expires.</summary>
public sealed class NoSkewSignedInFrontFactory : ChatFrontFactory
{
    public NoSkewSignedInFrontFactory()
    {
        Tokens.Configure(this).With("OrleansChat:Auth:ClockSkew", "00:00:00");
    }

    public TestTokens Tokens { get; } = new();
}

/// <summary>A token is good for as long as it says and for this chat only: expiry mid-connection, issuer, audience.</summary>
public sealed class TokenLifetimeTests(NoSkewSignedInFrontFactory front) : IClassFixture<NoSkewSignedInFrontFactory>
{
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];

    private string Nick(string name) => $"{name}{_tag}";

    [Fact]
    public async Task A_connection_is_closed_when_its_token_expires_and_its_session_resumes_with_a_fresh_token()
    {
        await using var bia = await front.ConnectAsync(accessToken: front.Tokens.For(Nick("bia")));
        await bia.RegisterAsync(null);
        var shortLived = front.Tokens.ExpiringIn(Nick("ana"), TimeSpan.FromSeconds(3));
        var ana = await front.ConnectAsync(accessToken: shortLived);
        var token = (await ana.RegisterAsync(null)).GetProperty("resumeToken").GetString();

        var closed = await ana.Closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var closedAt = DateTime.UtcNow;
        await ana.DisposeAsync();

        // SignalR closes the connection without an error (and lets the client reconnect); the token it opened with
        // is refused from then on, so a reconnect must bring a fresh one.
        Assert.Null(closed);
        Assert.True(closedAt >= new JsonWebToken(shortLived).ValidTo, "closed before the token expired");
        var expired = await NegotiateAsync(shortLived);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("The token expired", expired.Headers.WwwAuthenticate.ToString());

        // The close was the server's, not the user's: the session waits, and resumes with no leave seen.
        await using var again = await front.ConnectAsync(accessToken: front.Tokens.For(Nick("ana")));
        var resumed = await again.Connection.InvokeAsync<JsonElement>("Resume", token, null);
        Assert.Equal(Nick("ana"), resumed.GetProperty("nickname").GetString());
        await again.SendAsync("back with a fresh token");
        var seen = new List<ChatClient.Received>();
        do
        {
            seen.Add(await bia.Events.NextAsync());
        }
        while (!seen[^1].IsMessage("back with a fresh token"));

        Assert.DoesNotContain(seen, e => e.Notice == $"{Nick("ana")} saiu do chat.");
    }

    [Theory]
    [InlineData("https://other-issuer.test", TestTokens.Audience, "error_description=\"The issuer 'https://other-issuer.test' is invalid\"")]
    [InlineData(TestTokens.Issuer, "another-service", "error_description=\"The audience '")]
    public async Task A_token_for_another_issuer_or_audience_is_refused_with_401_at_negotiate(
        string issuer, string audience, string why)
    {
        var refused = await NegotiateAsync(front.Tokens.Misaddressed(Nick("ana"), issuer, audience));
        var accepted = await NegotiateAsync(front.Tokens.For(Nick("ana")));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Bearer error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
        Assert.Contains(why, refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    private async Task<HttpResponseMessage> NegotiateAsync(string accessToken)
    {
        using var http = new HttpClient { BaseAddress = front.BaseAddress };
        return await http.PostAsync($"{HubRoute.Path}/negotiate?negotiateVersion=1&access_token={accessToken}", null);
    }
}
