using System.Net;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Functional.Front;

public sealed class AllowedOriginFrontFactory : ChatFrontFactory
{
    public const string Allowed = "https://partner.example";

    public AllowedOriginFrontFactory() => With("OrleansChat:Front:AllowedOrigins:0", Allowed);
}

/// <summary>Another site's page cannot open a chat connection; the front's own page and listed origins can.</summary>
public sealed class OriginCheckTests(AllowedOriginFrontFactory front) : IClassFixture<AllowedOriginFrontFactory>
{
    [Fact]
    public async Task A_page_from_another_site_is_refused_with_403()
    {
        using var http = new HttpClient { BaseAddress = front.BaseAddress };
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, HubRoute.Path + "/negotiate?negotiateVersion=1")
        {
            Headers = { { "Origin", "https://evil.example" } },
        };

        var negotiated = await http.SendAsync(negotiate);
        var upgraded = await front.WebSocketUpgradeStatusAsync("https://evil.example");

        Assert.Equal(HttpStatusCode.Forbidden, negotiated.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, upgraded);
    }

    [Theory]
    [InlineData("own")]
    [InlineData(AllowedOriginFrontFactory.Allowed)]
    [InlineData(null)]
    public async Task The_own_origin_listed_origins_and_non_browser_clients_are_served(string? origin)
    {
        await using var connection = Connect(origin == "own" ? front.BaseAddress.GetLeftPart(UriPartial.Authority) : origin);

        await connection.StartAsync();

        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    private HubConnection Connect(string? origin) => new HubConnectionBuilder()
        .WithUrl(new Uri(front.BaseAddress, HubRoute.Path), o =>
        {
            o.Transports = HttpTransportType.WebSockets;
            o.SkipNegotiation = true;
            if (origin is not null)
            {
                o.Headers["Origin"] = origin;
            }
        })
        .Build();
}
