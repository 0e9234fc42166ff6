namespace OrleansChat.Bench.LoadTool;

/// <summary>CPU time and resident memory of a process, or the sum over several (a cluster), read from /proc.</summary>
public sealed class ProcessProbe(IReadOnlyList<int> pids)
{
    private const double TicksPerSecond = 100; // USER_HZ; 100 on every Linux this runs on.

    /// <summary>utime + stime in seconds: fields 14 and 15 of /proc/pid/stat, counted after the command name.</summary>
    public double CpuSeconds() => pids.Sum(pid =>
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
    });

    /// <summary>VmRSS in MiB.</summary>
    public double RssMiB() => pids.Sum(pid =>
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            }
        }

        return double.NaN;
    });

    public static ProcessProbe Self() => new([Environment.ProcessId]);
}
