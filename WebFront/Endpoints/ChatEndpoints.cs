using Microsoft.Net.Http.Headers;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Hubs;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Security;

namespace OrleansChat.WebFront.Endpoints;

/// <summary>Everything a browser reaches over HTTP: the page, its static files, the original's images and the hub.</summary>
public static class ChatEndpoints
{
    /// <summary>The rate-limiter policy that caps open hub connections per client address.</summary>
    public const string ConnectionsPerAddressPolicy = "connections-per-address";

    private static readonly TimeSpan ImageMaxAge = TimeSpan.FromDays(7);

    public static WebApplication MapChatEndpoints(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseResponseCompression();
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // The page and its scripts change with every release and carry no fingerprint yet: revalidate.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });

        var images = app.Services.GetRequiredService<BrandImages>();
        app.MapGet("/logo", (HttpContext http) => Cached(http, images.Logo()));
        app.MapGet("/flaticon", (HttpContext http) => Cached(http, images.Icon()));

        app.UseHubOriginCheck(HubRoute.Path);
        app.Use(app.Services.GetRequiredService<ConnectionHandback>().RefuseWhileStopping(HubRoute.Path));
        app.UseConnectionCloseTracking(HubRoute.Path);
        app.UseRateLimiter();
        var signInRequired = app.Services.GetRequiredService<ChatAccounts>().SignInRequired;
        if (signInRequired)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        // A connection lives no longer than the token it opened with: when the token expires, SignalR closes the
        // connection (and allows the client to reconnect, which asks its accessTokenFactory for a fresh token).
        var hub = app.MapHub<ChatHub>(HubRoute.Path, o => o.CloseOnAuthenticationExpiration = signInRequired)
            .RequireRateLimiting(ConnectionsPerAddressPolicy);
        if (signInRequired)
        {
            // Negotiation and every transport answer 401 without a valid token.
            hub.RequireAuthorization();
        }

        return app;
    }

    private static IResult Cached(HttpContext http, IResult result)
    {
        http.Response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = ImageMaxAge };
        return result;
    }
}
