using OpenTelemetry.Trace;

namespace OrleansChat.Hosting.Internal;

/// <summary>
/// Decides which spans may start a trace: what a client asked for (an HTTP request, a hub invocation) and the chat's
/// own spans, a share <paramref name="ratio"/> of them. Orleans' background calls (stream polls, membership, timers,
/// the dashboard's counters) start none: they run many times a second and would bury the messages' traces. A span
/// with a parent follows it (<see cref="ParentBasedSampler"/>), so a grain call made for a message is always traced
/// with it.
/// </summary>
internal sealed class RequestRootSampler(double ratio) : Sampler
{
    private static readonly string[] RootPrefixes = ["Microsoft.AspNetCore.", "chat."];

    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        foreach (var prefix in RootPrefixes)
        {
            if (samplingParameters.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return _ratio.ShouldSample(samplingParameters);
            }
        }

        return new SamplingResult(SamplingDecision.Drop);
    }
}
