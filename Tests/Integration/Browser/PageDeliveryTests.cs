using System.Net;
using System.Text.RegularExpressions;

namespace OrleansChat.Tests.Integration.Browser;

/// <summary>How the page's files leave the server: security headers on every response, revalidated caching.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class PageDeliveryTests(BrowserFixture browser)
{
    /// <summary>Everything the page loads apart from the two images: the page, its style, its modules, SignalR.</summary>
    private static readonly string[] Files =
    [
        "/", "/css/chat.css", "/js/chat.js", "/js/session.js", "/js/roomfeed.js", "/js/roomscreen.js", "/js/scrollback.js", "/js/status.js",
        "/js/i18n.js", "/js/rooms.js", "/js/text.js", "/js/view.js", "/js/errors.js", "/js/tabsession.js", "/js/outbox.js",
        "/lib/signalr/signalr.min.js",
    ];

    public static TheoryData<string> PageFiles => [.. Files, "/index.html"];

    [Theory]
    [MemberData(nameof(PageFiles))]
    public async Task Every_page_file_carries_the_security_headers_and_is_revalidated(string path)
    {
        using var http = browser.Front.CreateClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        foreach (var directive in new[]
                 {
                     "default-src 'self'", "connect-src 'self'", "img-src 'self'", "style-src 'self'",
                     "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                 })
        {
            Assert.Contains(directive, csp);
        }

        Assert.DoesNotContain("unsafe", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));

        // Cached, but checked with the server on each use: an unchanged file costs a 304 with no body.
        Assert.True(response.Headers.CacheControl?.NoCache);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var revalidated = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Fact]
    public async Task The_page_stays_small()
    {
        using var http = browser.Front.CreateClient();
        long total = 0;

        foreach (var path in Files)
        {
            total += (await http.GetByteArrayAsync(path)).Length;
        }

        // html + css + every module + the SignalR client, uncompressed (the README states the current figures). Raised
        // from 160,000 for the outbox (issue 16), which added about 10 KB raw, 3.8 KB gzipped.
        Assert.InRange(total, 1, 170_000);
    }

    [Fact]
    public async Task The_page_has_no_inline_script_style_or_event_handler()
    {
        using var http = browser.Front.CreateClient();

        var html = await http.GetStringAsync("/");

        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(InlineAttribute(), html);
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase); // nothing from elsewhere
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_hub_and_other_responses_carry_the_headers_too()
    {
        using var http = browser.Front.CreateClient();

        using var negotiate = await http.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
        using var missing = await http.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        Assert.True(negotiate.Headers.Contains("Content-Security-Policy"));
        Assert.True(missing.Headers.Contains("Content-Security-Policy"));
        Assert.True(missing.Headers.Contains("X-Content-Type-Options"));
    }

    /// <summary>A script element with anything but a src: inline code.</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    /// <summary>style="…" or an on…="…" handler on any element.</summary>
    [GeneratedRegex(@"\s(style|on[a-z]+)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineAttribute();
}
