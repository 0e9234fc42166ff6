using System.Globalization;
using System.Text;

namespace OrleansChat.Bench.LoadTool;

/// <summary>
/// The runs as a Markdown table, grouped by scenario and size, with ratios against the plain SignalR hub and the
/// seed (without permessage-deflate) of the same scenario in the same results file. Membership columns read
/// received/expected where the storm defines a minimum; a view mismatch is a client whose last memberCount is not the
/// number registered.
/// </summary>
public static class ResultTable
{
    public static string Markdown(IReadOnlyList<LoadResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | server | reg/N | connect s | connect p50/p99 ms | settle s | notices | presence | views ≠ | hist fills | sent/s | deliv/s | p50 ms | p95 ms | p99 ms | max ms | ack p50/p99 ms | lost/dup/ooo | srv CPU % | srv µs/deliv | srv RSS MiB | tool CPU % | ×plain deliv/s | ×plain µs/deliv | ×plain p99 | ×plain connect | ×seed deliv/s | ×seed p99 | load |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(Key))
        {
            var plain = group.LastOrDefault(r => r.Server == "plain");
            var seed = group.LastOrDefault(r => r.Server == "seed");
            foreach (var r in group)
            {
                text.AppendLine(string.Join(" | ",
                    "| " + group.Key,
                    r.Server + (r.Ok ? "" : " **FAIL**"),
                    $"{r.Registered}/{r.Clients}",
                    F(r.ConnectSeconds, 2),
                    $"{F(r.ConnectP50Ms, 0)}/{F(r.ConnectP99Ms, 0)}",
                    F(r.SettleSeconds, 2),
                    Count(r.Notices, r.NoticesExpected),
                    Count(r.PresenceChanges, r.PresenceExpected),
                    r.MemberViewMismatches?.ToString(CultureInfo.InvariantCulture) ?? "–",
                    r.HistoryFills is { } fills ? F(fills, 0) : "–",
                    F(r.SentPerSecond, 0),
                    F(r.DeliveriesPerSecond, 0),
                    F(r.LatencyP50Ms, 1),
                    F(r.LatencyP95Ms, 1),
                    F(r.LatencyP99Ms, 1),
                    F(r.LatencyMaxMs, 1),
                    $"{F(r.AckP50Ms, 1)}/{F(r.AckP99Ms, 1)}",
                    $"{r.Lost}/{r.Duplicated}/{r.OutOfOrder + r.SeqAnomalies}",
                    F(r.ServerCpuPercent, 0),
                    F(r.ServerCpuMicrosPerDelivery, 2),
                    F(r.ServerRssMiB, 0) + (double.IsNaN(r.RssPerConnectionKiB) ? "" : $" ({F(r.RssPerConnectionKiB, 1)} KiB/conn)"),
                    F(r.ToolCpuPercent, 0),
                    Ratio(r.DeliveriesPerSecond, plain?.DeliveriesPerSecond),
                    Ratio(r.ServerCpuMicrosPerDelivery, plain?.ServerCpuMicrosPerDelivery),
                    Ratio(r.LatencyP99Ms, plain?.LatencyP99Ms),
                    Ratio(r.ConnectSeconds, plain?.ConnectSeconds),
                    Ratio(r.DeliveriesPerSecond, seed?.DeliveriesPerSecond),
                    Ratio(r.LatencyP99Ms, seed?.LatencyP99Ms),
                    r.LoadAverage) + " |");
            }
        }

        return text.ToString();
    }

    private static string Key(LoadResult r) => r.Scenario switch
    {
        "room" => $"room {r.Clients}c {r.Senders}×{r.Rate:0}/s",
        "burst" => $"burst {r.Clients}c {r.Senders} senders",
        "rooms" => $"rooms {r.Rooms}×{r.Clients / Math.Max(1, r.Rooms)}",
        _ => $"{r.Scenario} {r.Clients}c",
    };

    private static string F(double value, int digits) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString("N" + digits, CultureInfo.InvariantCulture);

    private static string Count(long received, long? expected) =>
        F(received, 0) + (expected is { } least ? $" / ≥{F(least, 0)}" : "");

    private static string Ratio(double value, double? reference) =>
        reference is { } b && b > 0 && !double.IsNaN(value) && !double.IsNaN(b) && value > 0 ? (value / b).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";
}
