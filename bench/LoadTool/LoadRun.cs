using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansChat.Bench.LoadTool;

/// <summary>
/// Runs one scenario: connect and register every client (with bounded parallelism), then, by scenario, send for a
/// fixed time (room, burst, rooms), hold the connections (idle) or wait for the join announcements to settle and
/// check every client's view of the room (storm); then wait for in-flight deliveries and measure. Server CPU and
/// OrleansChat's history fills are taken over the measured phase: the send phase, or from the first connect on
/// (storm, idle).
/// </summary>
public sealed class LoadRun(LoadOptions options)
{
    private const int MaxInFlight = 64;

    /// <summary>How long membership events must have stopped, with everything expected in, for a storm to be over.</summary>
    private const double QuietSeconds = 1;

    private readonly RunTotals _totals = new();
    private readonly ProcessProbe? _server = options.ServerPids.Count > 0 ? new ProcessProbe(options.ServerPids) : null;
    private readonly ProcessProbe _self = ProcessProbe.Self();
    private readonly HistoryFillsMetric _historyFills = new(options.MetricsUrls);
    private List<ChatClient> _clients = [];

    /// <summary>Closes every connection cleanly (each leave is announced to the others).</summary>
    public Task CloseAsync() => Task.WhenAll(_clients.Select(c => c.DisposeAsync()));

    public async Task<LoadResult> RunAsync()
    {
        var result = new LoadResult
        {
            Server = options.Server,
            Scenario = options.Scenario,
            Clients = options.Clients,
            Rooms = options.Scenario == "rooms" ? options.Rooms : 1,
            LoadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[0],
        };
        var rssBefore = _server?.RssMiB() ?? double.NaN;

        var run = Guid.NewGuid().ToString("N")[..6];
        var rooms = result.Rooms;
        var clients = _clients = Enumerable.Range(0, options.Clients)
            .Select(i => new ChatClient(i, $"u{run}_{i}", rooms > 1 ? $"r{i % rooms}" : "geral", _totals, options.Server.StartsWith("orleans", StringComparison.Ordinal)))
            .ToList();

        // Connect + register, as fast as the parallelism allows.
        var fills0 = options.Scenario is "storm" or "idle" ? await _historyFills.ReadAsync() : null;
        var (serverCpu0, selfCpu0) = (_server?.CpuSeconds() ?? 0, _self.CpuSeconds());
        var connectStart = Stopwatch.GetTimestamp();
        var connectTimes = new ConcurrentBag<double>();
        var failures = 0;
        string? firstError = null;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.ConnectTimeoutSeconds)))
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectParallelism }, async (client, _) =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await client.ConnectAndRegisterAsync(options.Url, joinRoom: rooms > 1, timeout.Token);
                    connectTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstError, e.GetBaseException().Message, null);
                }
            });
        }

        result.ConnectSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
        result.Registered = options.Clients - failures;
        result.FirstError = firstError;
        var sortedConnect = connectTimes.Order().ToList();
        result.ConnectP50Ms = LatencyHistogram.Percentile(sortedConnect, 0.50);
        result.ConnectP99Ms = LatencyHistogram.Percentile(sortedConnect, 0.99);

        switch (options.Scenario)
        {
            case "storm":
                await SettleStormAsync(result, clients);
                Measure(result, serverCpu0, selfCpu0, result.ConnectSeconds + result.SettleSeconds, deliveries: 0);
                result.HistoryFills = Difference(fills0, await _historyFills.ReadAsync());
                break;
            case "idle":
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(options.DurationSeconds, 5)));
                Measure(result, serverCpu0, selfCpu0, Stopwatch.GetElapsedTime(connectStart).TotalSeconds, deliveries: 0);
                result.RssPerConnectionKiB = (result.ServerRssMiB - rssBefore) * 1024 / Math.Max(1, result.Registered);
                result.HistoryFills = Difference(fills0, await _historyFills.ReadAsync());
                break;
            default:
                await SendPhaseAsync(result, clients);
                break;
        }

        result.Notices = Interlocked.Read(ref _totals.Notices);
        result.PresenceChanges = Interlocked.Read(ref _totals.PresenceChanges);
        result.Ok = failures == 0 && result.Lost == 0 && result.Duplicated == 0 && result.OutOfOrder == 0
            && result.SeqAnomalies == 0 && result.SendErrors == 0 && result.MemberViewMismatches is null or 0
            && (options.Scenario is "storm" or "idle" || result.Deliveries > 0);
        return result;
    }

    /// <summary>
    /// Once everyone is registered, the join announcements may still be on their way. Waits until they stopped for
    /// <see cref="QuietSeconds"/> with everything expected in, or stopped for <c>--drain</c> seconds, then checks
    /// each registered client's last <c>memberCount</c> against the number registered: the member panel of a client
    /// that misses a change stays wrong. Notices are only compared where every join is announced to every
    /// connection (the plain hub); OrleansChat stops them in big rooms by design.
    /// </summary>
    private async Task SettleStormAsync(LoadResult result, List<ChatClient> clients)
    {
        long registered = result.Registered;
        // Each registration goes to every open connection, the registering one included. Of two clients, the one that
        // registered first is connected when the other registers, so at least N(N+1)/2; more when a client connected
        // before an earlier one registered.
        result.NoticesExpected = options.Server == "plain" ? registered * (registered + 1) / 2 : null;
        // A member hears of every join after its own: at least N(N−1)/2 changes, if the server sends presence at all.
        var presenceExpected = registered * (registered - 1) / 2;
        var members = clients.Where(c => c.Registered).ToList();
        long Notices() => Interlocked.Read(ref _totals.Notices);
        long Presence() => Interlocked.Read(ref _totals.PresenceChanges);
        bool Complete() => Notices() >= (result.NoticesExpected ?? 0)
            && (Presence() == 0 || Presence() >= presenceExpected)
            && members.All(c => c.MemberCount is null || c.MemberCount == registered);

        var settleStart = Stopwatch.GetTimestamp();
        var (last, lastChange) = (Notices() + Presence(), settleStart);
        while (true)
        {
            await Task.Delay(50);
            var count = Notices() + Presence();
            if (count != last)
            {
                (last, lastChange) = (count, Stopwatch.GetTimestamp());
                continue;
            }

            var quiet = Stopwatch.GetElapsedTime(lastChange).TotalSeconds;
            if (quiet >= options.DrainSeconds || (quiet >= QuietSeconds && Complete()))
            {
                break;
            }
        }

        var lastEvent = Interlocked.Read(ref _totals.LastMembershipTimestamp);
        result.SettleSeconds = lastEvent > settleStart ? Stopwatch.GetElapsedTime(settleStart, lastEvent).TotalSeconds : 0;
        result.PresenceExpected = Presence() > 0 ? presenceExpected : null;
        var views = members.Select(c => c.MemberCount).ToList();
        result.MemberViewMismatches = views.Any(v => v is not null) ? views.Count(v => v != registered) : null;
    }

    private static double? Difference(double? before, double? after) => after - (before ?? 0);

    private async Task SendPhaseAsync(LoadResult result, List<ChatClient> clients)
    {
        var burst = options.Scenario == "burst";
        var toRoom = options.Scenario == "rooms";
        var rooms = result.Rooms;
        // The first S clients of each room send; senders also receive, as in the seed.
        var senders = clients.Where(c => c.Index / rooms < options.Senders).ToList();
        result.Senders = senders.Count;
        result.Rate = burst ? 0 : options.Rate;
        result.DurationSeconds = options.DurationSeconds;

        var fills0 = await _historyFills.ReadAsync();
        var (serverCpu0, selfCpu0) = (_server?.CpuSeconds() ?? 0, _self.CpuSeconds());
        var start = Stopwatch.GetTimestamp();
        var duration = TimeSpan.FromSeconds(options.DurationSeconds);
        var interval = burst ? TimeSpan.Zero : TimeSpan.FromSeconds(1 / options.Rate);
        await Task.WhenAll(senders.Select(async (sender, n) =>
        {
            if (burst)
            {
                // As fast as acknowledgements allow: one message in flight per sender.
                while (Stopwatch.GetElapsedTime(start) < duration)
                {
                    await sender.SendAsync(toRoom);
                }

                return;
            }

            // Open loop at the offered rate, so a slow server shows as latency rather than as a lower rate, with at
            // most MaxInFlight unacknowledged messages per sender (past that the sender falls behind, and the
            // achieved send rate shows it). The first sends are spread over one interval.
            using var window = new SemaphoreSlim(MaxInFlight);
            var inFlight = new List<Task>();
            var next = interval * ((double)n / senders.Count);
            while (Stopwatch.GetElapsedTime(start) < duration)
            {
                var wait = next - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                await window.WaitAsync();
                inFlight.Add(sender.SendAsync(toRoom).ContinueWith(_ => window.Release(), TaskScheduler.Default));
                next += interval;
            }

            await Task.WhenAll(inFlight);
        }));
        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // Expected deliveries: every acknowledged message of every sender in the receiver's room.
        var sendersByRoom = senders.GroupBy(s => s.Room).ToDictionary(g => g.Key, g => g.ToList());
        var expected = clients.Sum(c => sendersByRoom.GetValueOrDefault(c.Room, []).Sum(s => s.Sent - s.SendErrors));
        // Wait for the backlog: until everything expected arrived, or nothing arrived for --drain seconds. What is
        // still missing then is lost (a slow server is not a lossy one: its backlog shows as latency).
        var lastCount = Interlocked.Read(ref _totals.Deliveries);
        var lastProgress = Stopwatch.GetTimestamp();
        while (lastCount < expected && Stopwatch.GetElapsedTime(lastProgress).TotalSeconds < options.DrainSeconds)
        {
            await Task.Delay(20);
            var count = Interlocked.Read(ref _totals.Deliveries);
            if (count != lastCount)
            {
                (lastCount, lastProgress) = (count, Stopwatch.GetTimestamp());
            }
        }

        var lastDelivery = Interlocked.Read(ref _totals.LastDeliveryTimestamp);
        var activeSeconds = lastDelivery > start ? Stopwatch.GetElapsedTime(start, lastDelivery).TotalSeconds : sendSeconds;
        var deliveries = Interlocked.Read(ref _totals.Deliveries);
        Measure(result, serverCpu0, selfCpu0, activeSeconds, deliveries);
        result.HistoryFills = Difference(fills0, await _historyFills.ReadAsync());

        result.Sent = senders.Sum(s => s.Sent);
        result.SentPerSecond = result.Sent / sendSeconds;
        result.SendErrors = senders.Sum(s => s.SendErrors);
        result.Expected = expected;
        result.Lost = clients.Sum(c => sendersByRoom.GetValueOrDefault(c.Room, [])
            .Sum(s => Math.Max(0, s.Sent - s.SendErrors - c.ReceivedFrom(s.Index))));
        result.Duplicated = Interlocked.Read(ref _totals.Duplicated);
        result.OutOfOrder = Interlocked.Read(ref _totals.OutOfOrder);
        result.SeqAnomalies = Interlocked.Read(ref _totals.SeqAnomalies);
        result.LatencyP50Ms = _totals.Latency.Percentile(0.50);
        result.LatencyP95Ms = _totals.Latency.Percentile(0.95);
        result.LatencyP99Ms = _totals.Latency.Percentile(0.99);
        result.LatencyMaxMs = _totals.Latency.MaxMs;
        result.AckP50Ms = _totals.AckLatency.Percentile(0.50);
        result.AckP99Ms = _totals.AckLatency.Percentile(0.99);
    }

    private void Measure(LoadResult result, double serverCpu0, double selfCpu0, double seconds, long deliveries)
    {
        result.MeasuredSeconds = seconds;
        result.Deliveries = deliveries;
        result.DeliveriesPerSecond = seconds > 0 ? deliveries / seconds : 0;
        result.ToolCpuPercent = (_self.CpuSeconds() - selfCpu0) / seconds * 100;
        if (_server is not null)
        {
            var cpu = _server.CpuSeconds() - serverCpu0;
            result.ServerCpuSeconds = cpu;
            result.ServerCpuPercent = cpu / seconds * 100;
            result.ServerCpuMicrosPerDelivery = deliveries > 0 ? cpu * 1e6 / deliveries : double.NaN;
            result.ServerRssMiB = _server.RssMiB();
        }
    }
}
