using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Integration.Cluster;

/// <summary>
/// Debian's nginx running the shipped <c>deploy/nginx/nginx.conf</c> in front of the test cluster's fronts, as the
/// test user, in a folder of its own. Only what ties the file to Docker changes: the listen port and the upstream
/// addresses (and <c>resolve</c>, which this nginx predates), plus the pid, log and temp paths.
/// </summary>
public sealed partial class NginxProxy : IAsyncDisposable
{
    private const string Nginx = "/usr/sbin/nginx";
    private readonly string _dir;
    private readonly ChatProcess _process;

    private NginxProxy(string dir, ChatProcess process, Uri address)
    {
        _dir = dir;
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<NginxProxy> StartAsync(string repositoryRoot, IReadOnlyList<Uri> fronts)
    {
        if (!File.Exists(Nginx))
        {
            throw new InvalidOperationException($"{Nginx} is not installed: .ci/run installs the Debian package nginx.");
        }

        var dir = Path.Combine(Path.GetTempPath(), "orleanschat-nginx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = FreePort.Next();
        var shipped = await File.ReadAllTextAsync(Path.Combine(repositoryRoot, "deploy", "nginx", "nginx.conf"));
        var servers = UpstreamServer().Matches(shipped);
        if (servers.Count != fronts.Count || !shipped.Contains("listen 8881;"))
        {
            throw new InvalidOperationException("deploy/nginx/nginx.conf no longer has the listen port and upstreams this test fills in");
        }

        var index = 0;
        var config = UpstreamServer().Replace(shipped, _ => $"server 127.0.0.1:{fronts[index++].Port};")
            .Replace("listen 8881;", $"listen 127.0.0.1:{port};")
            .Replace("http {", $$"""
                http {
                  access_log {{dir}}/access.log;
                  client_body_temp_path {{dir}}/body;
                  proxy_temp_path {{dir}}/proxy;
                  fastcgi_temp_path {{dir}}/fastcgi;
                  uwsgi_temp_path {{dir}}/uwsgi;
                  scgi_temp_path {{dir}}/scgi;
                """);
        var file = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(file, config);
        // As root (a CI container), nginx would run its workers as nobody, who cannot write this folder.
        var user = Environment.UserName == "root" ? "user root;" : "";
        var process = ChatProcess.Start("nginx", Nginx,
            ["-p", dir, "-c", file, "-e", Path.Combine(dir, "error.log"), "-g", $"daemon off; pid {dir}/nginx.pid; error_log {dir}/error.log; {user}"],
            dir, new Dictionary<string, string>());
        var proxy = new NginxProxy(dir, process, new Uri($"http://127.0.0.1:{port}"));
        await RedisClusterFixture.WaitUntilAsync(() => proxy.AnswersAsync(), process, TimeSpan.FromSeconds(20));
        return proxy;
    }

    /// <summary>
    /// A client as the page is one: it negotiates (so nginx's affinity cookie must bring its WebSocket to the same
    /// front) and then uses WebSockets.
    /// </summary>
    public static async Task<ChatClient> ConnectAsync(Uri via)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(via, "/hubs/chat"), o => o.Transports = HttpTransportType.WebSockets)
            .Build();
        var client = new ChatClient(connection);
        await connection.StartAsync();
        return client;
    }

    /// <summary>nginx's own error log, for a failing test's message.</summary>
    public string ErrorLog => File.Exists(Path.Combine(_dir, "error.log")) ? File.ReadAllText(Path.Combine(_dir, "error.log")) : "";

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<bool> AnswersAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return (await http.GetAsync(new Uri(Address, "/health/ready"))).IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"server front\d+:8881 resolve;")]
    private static partial Regex UpstreamServer();
}
