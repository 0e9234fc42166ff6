using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Endpoints;

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
    public async Task A_page_from_another_site_is_refused()
    {
        await using var connection = Connect("https://evil.example");

        await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
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
        .WithUrl(new Uri(front.BaseAddress, ChatEndpoints.HubPath), o =>
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
