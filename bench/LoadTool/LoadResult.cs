namespace OrleansChat.Bench.LoadTool;

/// <summary>The figures of one run, written as one JSON line; the Node driver of the seed writes the same fields.</summary>
public sealed class LoadResult
{
    public string Server { get; set; } = "";
    public string Scenario { get; set; } = "";
    public int Clients { get; set; }
    public int Rooms { get; set; }
    public int Senders { get; set; }
    public double Rate { get; set; }
    public double DurationSeconds { get; set; }
    public int Registered { get; set; }
    public double ConnectSeconds { get; set; }
    public double ConnectP50Ms { get; set; }
    public double ConnectP99Ms { get; set; }
    public long Sent { get; set; }
    public double SentPerSecond { get; set; }
    public long SendErrors { get; set; }
    public long Expected { get; set; }
    public long Deliveries { get; set; }
    public double MeasuredSeconds { get; set; }
    public double DeliveriesPerSecond { get; set; }
    public double LatencyP50Ms { get; set; } = double.NaN;
    public double LatencyP95Ms { get; set; } = double.NaN;
    public double LatencyP99Ms { get; set; } = double.NaN;
    public double LatencyMaxMs { get; set; } = double.NaN;
    public double AckP50Ms { get; set; } = double.NaN;
    public double AckP99Ms { get; set; } = double.NaN;
    public long Lost { get; set; }
    public long Duplicated { get; set; }
    public long OutOfOrder { get; set; }
    public long SeqAnomalies { get; set; }
    public long Notices { get; set; }

    /// <summary>Storm only: the fewest notices a server that announces every join to every connection sends.</summary>
    public long? NoticesExpected { get; set; }

    public long PresenceChanges { get; set; }

    /// <summary>Storm only, when presence arrived at all: every member hears of every later join.</summary>
    public long? PresenceExpected { get; set; }

    /// <summary>Storm only: seconds from the last registration until the membership events stopped.</summary>
    public double SettleSeconds { get; set; } = double.NaN;

    /// <summary>Storm only: clients whose last memberCount is not the number registered; null if none was sent.</summary>
    public int? MemberViewMismatches { get; set; }

    /// <summary>OrleansChat's relay history fills during the measured phase, over every front; null without the metric.</summary>
    public double? HistoryFills { get; set; }
    public double ServerCpuSeconds { get; set; }
    public double ServerCpuPercent { get; set; }
    public double ServerCpuMicrosPerDelivery { get; set; } = double.NaN;
    public double ServerRssMiB { get; set; } = double.NaN;
    public double RssPerConnectionKiB { get; set; } = double.NaN;
    public double ToolCpuPercent { get; set; }
    public string LoadAverage { get; set; } = "";
    public string? FirstError { get; set; }
    public bool Ok { get; set; }
}
