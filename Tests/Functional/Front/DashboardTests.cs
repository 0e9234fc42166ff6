using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Hosting;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

/// <summary>
/// The Orleans dashboard of the embedded silo, when turned on, is a management endpoint like the metrics: loopback
/// only by default, and only on the management port when one is set; never where chat users connect. A front serves
/// none unless asked (the Silo process turns it on in its appsettings.json).
/// </summary>
public sealed class DashboardTests
{
    private const string Page = ChatOperationsExtensions.DashboardPath + "/";
    private const string ClusterStats = ChatOperationsExtensions.DashboardPath + "/ClusterStats";

    [Fact]
    public async Task Turned_on_the_dashboard_answers_loopback_clients_with_its_page_and_the_cluster()
    {
        await using var front = new ChatFrontFactory().With("OrleansChat:Management:Dashboard", "true");
        using var http = new HttpClient { BaseAddress = front.BaseAddress };

        using var page = await http.GetAsync(Page);
        using var stats = await http.GetAsync(ClusterStats);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal("application/json", stats.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task By_default_a_front_serves_no_dashboard_at_all()
    {
        await using var front = new ChatFrontFactory();
        using var http = new HttpClient { BaseAddress = front.BaseAddress };

        using var page = await http.GetAsync(Page);
        using var metrics = await http.GetAsync(ChatOperationsExtensions.MetricsPath);

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("Orleans Dashboard", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_a_management_port_the_dashboard_answers_there_and_not_where_chat_users_connect()
    {
        var managementPort = FreePort.Next();
        await using var front = new ManagementPortFrontFactory(managementPort);
        _ = front.BaseAddress;
        var chatAddress = front.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address)).Single(address => address.Port != managementPort);
        using var chatPort = new HttpClient { BaseAddress = chatAddress };
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };

        foreach (var path in new[] { Page, ClusterStats, ChatOperationsExtensions.DashboardPath + "/index.min.js" })
        {
            using var publicAnswer = await chatPort.GetAsync(path);
            using var managementAnswer = await management.GetAsync(path);

            Assert.Equal(HttpStatusCode.NotFound, publicAnswer.StatusCode);
            Assert.Equal(HttpStatusCode.OK, managementAnswer.StatusCode);
        }

        // And the management port serves nothing of the chat.
        using var chatPage = await management.GetAsync("/");
        Assert.Equal(HttpStatusCode.NotFound, chatPage.StatusCode);
    }

    /// <summary>The front with <c>OrleansChat:Management:Port</c> set, listening there as the images do.</summary>
    private sealed class ManagementPortFrontFactory : ChatFrontFactory
    {
        public ManagementPortFrontFactory(int port)
            : base(asTheAppListens: true)
        {
            With("OrleansChat:Management:Port", port.ToString()).With("OrleansChat:Management:Dashboard", "true");
        }
    }
}
