using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansChat.Bench.LoadTool;

// Usage:
//   LoadTool run --server orleans|plain --url http://127.0.0.1:PORT/hubs/chat[,URL2...] --scenario room|burst|storm|idle|rooms
//                [--clients N] [--senders S] [--rate R] [--duration SECONDS] [--rooms K] [--pid SERVER_PID[,PID...]]
//                [--parallel P] [--connect-timeout S] [--drain S] [--metrics-url URL[,URL...]] [--json-out FILE] [--close true]
//   LoadTool report RESULTS.jsonl       (a Markdown table of every run, with ratios per scenario)
// With several URLs, client i connects to URL i mod count (cross-front runs). --metrics-url: OrleansChat's
// /admin/metrics of every front, for the relay's history fills. `run` prints one JSON line and exits 0 only if every
// client registered, nothing was lost, duplicated or out of order, and (storm) every client's member count ended right.
var json = new JsonSerializerOptions
{
    PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
};

switch (args.FirstOrDefault())
{
    case "run":
        var options = LoadOptions.Parse(args[1..]);
        var load = new LoadRun(options);
        var result = await load.RunAsync();
        var line = JsonSerializer.Serialize(result, json);
        Console.WriteLine(line);
        if (options.JsonOut is { } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }

        // Without --close, connections are not closed one by one: the runner stops the server next, and N leave
        // notices to N clients would only slow the exit. A warm-up run closes them, so the server it warmed is clean.
        if (options.Close)
        {
            await load.CloseAsync();
        }

        Console.Out.Flush();
        Environment.Exit(result.Ok ? 0 : 1);
        break;
    case "report" when args.Length == 2:
        var results = File.ReadLines(args[1])
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonSerializer.Deserialize<LoadResult>(l, json)!)
            .ToList();
        Console.Write(ResultTable.Markdown(results));
        break;
    default:
        Console.Error.WriteLine("usage: LoadTool run --server NAME --url URL --scenario NAME [...] | LoadTool report FILE");
        Environment.Exit(2);
        break;
}
