using Orleans.Providers;

namespace OrleansChat.Tests.Support;

/// <summary>
/// Makes publishing on chosen streams fail, where the memory stream provider really can fail: its queue grain's
/// <c>Enqueue</c>, which every <c>OnNextAsync</c>/<c>OnNextBatchAsync</c> of a producer calls. Registered on the silo
/// as an incoming grain call filter, so the producer sees the failure exactly as it would see a queue that is down.
/// </summary>
public sealed class StreamPublishFaults : IIncomingGrainCallFilter
{
    private volatile Func<StreamId, bool> _fail = _ => false;

    private int _failed;

    /// <summary>Which streams refuse what is published on them from now on.</summary>
    public Func<StreamId, bool> Fail
    {
        get => _fail;
        set => _fail = value;
    }

    /// <summary>How many publishes were refused so far, so a test can tell its fault was hit.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IMemoryStreamQueueGrain
            && context.Request.GetArgumentCount() > 0
            && context.Request.GetArgument(0) is MemoryMessageData message
            && _fail(message.StreamId))
        {
            Interlocked.Increment(ref _failed);
            throw new StreamPublishFailure($"Publishing on {message.StreamId} failed on purpose.");
        }

        return context.Invoke();
    }
}

public sealed class StreamPublishFailure(string message) : Exception(message);
