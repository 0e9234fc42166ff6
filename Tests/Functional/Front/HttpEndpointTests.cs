using System.Net;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Front;

public sealed class HttpEndpointTests(ChatFrontFactory front) : IClassFixture<ChatFrontFactory>
{
    [Fact]
    public async Task The_root_serves_the_chat_page_with_the_local_signalr_client()
    {
        using var http = front.CreateClient();

        using var response = await http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("/lib/signalr/signalr.min.js", html);
        Assert.DoesNotContain("https://", html);
        using var script = await http.GetAsync("/lib/signalr/signalr.min.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("HubConnectionBuilder", await script.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/logo")]
    [InlineData("/flaticon")]
    public async Task The_seed_images_are_pngs_with_caching_headers(string path)
    {
        using var http = front.CreateClient();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.True(response.Headers.CacheControl?.MaxAge > TimeSpan.FromHours(1));
        Assert.NotNull(response.Headers.ETag);

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, path);
        revalidate.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await http.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/logo")]
    [InlineData("/flaticon")]
    public async Task The_seed_images_answer_head_with_the_headers_of_get_and_no_body(string path)
    {
        using var http = front.CreateClient();
        using var get = await http.GetAsync(path);

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("image/png", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Health_endpoints_say_live_and_ready_once_the_cluster_answers()
    {
        using var http = front.CreateClient();

        using var live = await http.GetAsync("/health/live");
        using var ready = await http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_are_exposed_for_prometheus_with_the_chat_and_orleans_instruments()
    {
        await using var ana = await front.ConnectAsync();
        await ana.RegisterAsync("metrics-" + Guid.NewGuid().ToString("N")[..6]);
        await ana.SendAsync("counted");
        await ana.NextBroadcastAsync();
        using var http = front.CreateClient();

        var text = await http.GetStringAsync("/admin/metrics");

        foreach (var name in new[] { "orleanschat_connections", "orleanschat_registered_users", "orleanschat_messages_in",
                     "orleanschat_messages_out", "orleanschat_fanout_latency", "orleans_" })
        {
            Assert.Contains(name, text);
        }
    }

    [Fact]
    public async Task The_page_scripts_and_styles_are_served_from_the_app()
    {
        using var http = front.CreateClient();
        var html = await http.GetStringAsync("/");

        foreach (var asset in new[] { "/js/chat.js", "/css/chat.css" })
        {
            Assert.Contains(asset, html);
            using var response = await http.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
