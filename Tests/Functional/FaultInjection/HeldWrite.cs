namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>A storage write that waits for the test: it says when it has started, and finishes when released.</summary>
public sealed class HeldWrite
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the held write has reached the store.</summary>
    public Task Started => _started.Task;

    /// <summary>Lets the write go on (to the store, or to a failure the test has asked for meanwhile).</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>For the store: marks the write as started and returns what it waits on.</summary>
    public Task Enter()
    {
        _started.TrySetResult();
        return _released.Task;
    }
}
