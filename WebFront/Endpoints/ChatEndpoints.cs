using Microsoft.AspNetCore.Rewrite;
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

    /// <summary>The CORS policy of the hub: the origins of <c>OrleansChat:Front:AllowedOrigins</c>.</summary>
    public const string HubCorsPolicy = "hub-origins";

    private static readonly TimeSpan ImageMaxAge = TimeSpan.FromDays(7);

    public static WebApplication MapChatEndpoints(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseResponseCompression();
        // The page's files are endpoints from the build's manifest (Npm.targets adds the SignalR client to it), each
        // with brotli and gzip copies made at build, an ETag of the bytes sent and Cache-Control: no-cache. They are
        // served by their own paths only, and WebApplication routes before any middleware runs: the rewriter routes
        // "/" again, as the page.
        app.UseRewriter(new RewriteOptions().AddRewrite("^$", "index.html", skipRemainingRules: true));
        app.MapStaticAssets();

        var images = app.Services.GetRequiredService<BrandImages>();
        // HEAD as the original answered it: crawlers and link checkers ask for the headers only (Kestrel sends no body).
        string[] getOrHead = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/logo", getOrHead, (HttpContext http) => Cached(http, images.Logo()));
        app.MapMethods("/flaticon", getOrHead, (HttpContext http) => Cached(http, images.Icon()));

        // Before the origin check, so it answers an allowed page's preflight; it refuses nothing itself (a page from
        // an origin it does not list gets no CORS headers, and the origin check answers its requests 403).
        app.UseWhen(http => http.Request.Path.StartsWithSegments(HubRoute.Path), hub => hub.UseCors(HubCorsPolicy));
        app.UseHubOriginCheck(HubRoute.Path);
        app.Use(app.Services.GetRequiredService<ConnectionHandback>().RefuseWhileStopping(HubRoute.Path));
        app.Services.GetRequiredService<ConnectionCloseTracking>().UseOn(app, HubRoute.Path);
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
