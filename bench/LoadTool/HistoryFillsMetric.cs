using System.Globalization;

namespace OrleansChat.Bench.LoadTool;

/// <summary>
/// Reads OrleansChat's <c>orleanschat_relay_history_fills_total</c> (messages a front delivered from history because
/// its stream had not) from the Prometheus text of every front, summed over fronts and series (scope and other
/// labels). Null when no front exports it: the plain hub, a server from before the metric, or a front where none
/// happened yet, since OpenTelemetry exports a counter only from its first increment unless the server declares it.
/// </summary>
public sealed class HistoryFillsMetric(IReadOnlyList<string> urls)
{
    private const string Name = "orleanschat_relay_history_fills";

    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<double?> ReadAsync()
    {
        double? total = null;
        foreach (var url in urls)
        {
            string text;
            try
            {
                text = await s_http.GetStringAsync(url);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A front that does not answer has no figure; the others still count, and all missing reads "–".
                continue;
            }

            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("# TYPE " + Name, StringComparison.Ordinal))
                {
                    // Declared without samples yet: none happened on this front.
                    total ??= 0;
                }
                else if (line.StartsWith(Name, StringComparison.Ordinal) && TryParseSample(line, out var value))
                {
                    total = (total ?? 0) + value;
                }
            }
        }

        return total;
    }

    /// <summary><c>name{labels} value [timestamp]</c>; label values may hold spaces, so the value follows the last brace.</summary>
    private static bool TryParseSample(string line, out double value)
    {
        value = 0;
        var nameEnd = line.IndexOfAny(['{', ' ']);
        if (nameEnd < 0 || !line[..nameEnd].EndsWith("_total", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = line[nameEnd] == '{' ? line[(line.LastIndexOf('}') + 1)..] : line[nameEnd..];
        var fields = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
