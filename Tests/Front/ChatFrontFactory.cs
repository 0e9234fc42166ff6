using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Tests.Support;
using OrleansChat.WebFront.Endpoints;

namespace OrleansChat.Tests.Front;

/// <summary>
/// The real WebFront with its embedded silo, on Kestrel at a free loopback port, so SignalR clients connect over
/// real WebSockets exactly as browsers do.
/// </summary>
public sealed class ChatFrontFactory : WebApplicationFactory<Program>
{
    public ChatFrontFactory() => UseKestrel(0);

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(addresses.Addresses.First());
        }
    }

    /// <summary>A started SignalR client on WebSockets, recording every event the hub sends it.</summary>
    public async Task<ChatClient> ConnectAsync()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(BaseAddress, ChatEndpoints.HubPath), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        var client = new ChatClient(connection);
        await connection.StartAsync();
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Urls", "http://127.0.0.1:0");
        builder.UseSetting("OrleansChat:Cluster:SiloPort", FreePort.Next().ToString());
    }
}
