using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.WebFront.Security;

/// <summary>
/// Refuses hub requests that a browser sends from another site's page. Browsers attach an Origin header to
/// WebSocket and cross-origin requests, and nothing else in ASP.NET Core checks it for WebSockets: without this, any
/// page a user visits could open a chat connection in their name. Clients that send no Origin (not browsers) pass.
/// </summary>
internal static class OriginCheck
{
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app, PathString hubPath) =>
        app.Use((context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(hubPath)
                || context.Request.Headers[HeaderNames.Origin] is not [{ } origin]
                || IsAllowed(context, origin))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        });

    private static bool IsAllowed(HttpContext context, string origin)
    {
        var request = context.Request;
        if (string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var allowed = context.RequestServices.GetRequiredService<IOptions<ChatFrontOptions>>().Value.AllowedOrigins;
        return allowed.Contains(origin, StringComparer.OrdinalIgnoreCase);
    }
}
