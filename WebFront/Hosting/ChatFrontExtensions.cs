using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansChat.Grains;
using OrleansChat.Grains.Hosting;
using OrleansChat.WebFront.Endpoints;
using OrleansChat.WebFront.Relay;

namespace OrleansChat.WebFront.Hosting;

/// <summary>The front's services: SignalR, the stream relay and the static content.</summary>
public static class ChatFrontExtensions
{
    public static IHostApplicationBuilder AddChatFront(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ChatFrontOptions>(ChatFrontOptions.SectionName);
        builder.AddValidatedOptions<ChatRoomOptions>(ChatRoomOptions.SectionName);
        builder.Services.AddSignalR();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(FrontIdentity.ForThisProcess());
        builder.Services.AddSingleton<RoomStreamRelay>();
        builder.Services.AddSingleton<BrandImages>();
        return builder;
    }
}
