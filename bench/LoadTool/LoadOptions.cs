using System.Globalization;

namespace OrleansChat.Bench.LoadTool;

/// <summary>One run of one scenario against one server, from <c>--name value</c> arguments.</summary>
public sealed record LoadOptions(
    string Scenario,
    string Server,
    string Url,
    int Clients,
    int Senders,
    double Rate,
    double DurationSeconds,
    int Rooms,
    int ConnectParallelism,
    double ConnectTimeoutSeconds,
    double DrainSeconds,
    IReadOnlyList<int> ServerPids,
    IReadOnlyList<string> MetricsUrls,
    string? JsonOut,
    bool Close)
{
    public static readonly string[] Scenarios = ["room", "burst", "storm", "idle", "rooms"];

    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected --name value pairs, got '{args[i]}'.");
            }

            values[args[i][2..]] = args[++i];
        }

        string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);
        int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        double Double(string name, double fallback) => double.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        var scenario = Get("scenario", "room");
        if (!Scenarios.Contains(scenario))
        {
            throw new ArgumentException($"--scenario must be one of {string.Join(", ", Scenarios)}.");
        }

        return new LoadOptions(
            scenario,
            Get("server", "orleans"),
            Get("url", "http://127.0.0.1:8881/hubs/chat"),
            Int("clients", 100),
            Int("senders", 10),
            Double("rate", 10),
            Double("duration", 10),
            Int("rooms", 1),
            Int("parallel", 64),
            Double("connect-timeout", 20),
            Double("drain", 10),
            values.TryGetValue("pid", out var pids)
                ? pids.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList()
                : [],
            values.TryGetValue("metrics-url", out var metrics) ? metrics.Split(',', StringSplitOptions.RemoveEmptyEntries) : [],
            values.GetValueOrDefault("json-out"),
            Get("close", "false") is "1" or "true");
    }
}
