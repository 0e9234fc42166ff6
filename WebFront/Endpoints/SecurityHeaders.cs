namespace OrleansChat.WebFront.Endpoints;

/// <summary>
/// Headers that hold the page to what it is: scripts, styles, images and connections from this origin only, no
/// inline code, no framing, no MIME sniffing, no referrer. Set on every response, so a page served from any path is
/// covered, not just <c>/</c>.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The page loads only its own files (no CDN, no inline script or style) and talks only to its own hub;
    /// 'self' covers the same-origin WebSocket (ws: and wss:) in current browsers.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
}
