using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>The real front whose embedded silo's stream queue refuses what <see cref="Publish"/> says.</summary>
public sealed class PublishFaultFrontFactory : ChatFrontFactory
{
    public StreamPublishFaults Publish { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IIncomingGrainCallFilter>(Publish));
    }
}
