namespace OrleansChat.Bench;

/// <summary>What was measured with <see cref="Members"/> members already in the room.</summary>
public sealed record MembershipCheckpoint(
    int Members, MemberFill Fill, CallCost Join, CallCost Leave, TimeSpan Reload, MemoryUse Memory, MachineLoad Load);

/// <summary>The concurrent joins that brought the room up to a checkpoint.</summary>
public sealed record MemberFill(int Members, double Seconds)
{
    public double PerSecond => Members / Math.Max(Seconds, double.Epsilon);
}

/// <summary>
/// The latency of one kind of call, and the bytes the presence storage wrote per call: the member page, and now and
/// then the room directory's update, which the room sends without waiting and so may land in either kind's count.
/// </summary>
public sealed record CallCost(Latency Latency, double BytesPerCall)
{
    public static CallCost Of(double[] micros, long bytes) => new(
        Latency.Of(micros, TimeSpan.FromMicroseconds(micros.Sum())), (double)bytes / micros.Length);
}
