using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Unit.Hosting;

/// <summary>Who reaches /health and /admin/metrics: loopback only by default, the management port when it is set.</summary>
public sealed class ManagementGateTests
{
    private const int AppPort = 8881;
    private const int ManagementPort = 9881;

    public static TheoryData<string, bool> DefaultCases => new()
    {
        { "127.0.0.1", true },
        { "::1", true },
        { "::ffff:127.0.0.1", true },
        { "10.1.2.3", false },
        { "192.168.0.7", false },
        { "2001:db8::1", false },
    };

    [Theory]
    [MemberData(nameof(DefaultCases))]
    public async Task By_default_management_answers_loopback_clients_only(string remote, bool served)
    {
        var status = await StatusAsync(new ManagementOptions(), management: true, IPAddress.Parse(remote), AppPort);

        Assert.Equal(served ? StatusCodes.Status200OK : StatusCodes.Status404NotFound, status);
    }

    [Fact]
    public async Task By_default_the_chat_itself_answers_every_network()
    {
        Assert.Equal(StatusCodes.Status200OK,
            await StatusAsync(new ManagementOptions(), management: false, IPAddress.Parse("10.1.2.3"), AppPort));
    }

    [Theory]
    [InlineData(true, ManagementPort, "10.1.2.3", StatusCodes.Status200OK)]
    [InlineData(true, AppPort, "10.1.2.3", StatusCodes.Status404NotFound)]
    [InlineData(true, AppPort, "127.0.0.1", StatusCodes.Status404NotFound)]
    [InlineData(false, ManagementPort, "10.1.2.3", StatusCodes.Status404NotFound)]
    [InlineData(false, AppPort, "10.1.2.3", StatusCodes.Status200OK)]
    public async Task With_a_management_port_management_answers_there_and_only_there(
        bool management, int localPort, string remote, int expected)
    {
        var options = new ManagementOptions { Port = ManagementPort };

        Assert.Equal(expected, await StatusAsync(options, management, IPAddress.Parse(remote), localPort));
    }

    private static async Task<int> StatusAsync(ManagementOptions options, bool management, IPAddress remote, int localPort)
    {
        var app = new ApplicationBuilder(new EmptyServices());
        app.UseManagementGate(options);
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        });
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remote;
        context.Connection.LocalPort = localPort;
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, management
            ? new EndpointMetadataCollection(ChatOperationsExtensions.ManagementEndpoint.Instance)
            : EndpointMetadataCollection.Empty, "test"));

        await app.Build()(context);

        return context.Response.StatusCode;
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
