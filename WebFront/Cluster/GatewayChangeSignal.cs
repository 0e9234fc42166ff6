namespace OrleansChat.WebFront.Cluster;

/// <summary>
/// Raised by the Orleans client when its set of gateways changes (a silo died or came back). It only signals: the
/// client builds its observers before anything that uses the client exists, so the work happens in
/// the relay's watchdog.
/// </summary>
public sealed class GatewayChangeSignal : IClusterConnectionStatusObserver
{
    private readonly SemaphoreSlim _changed = new(0, 1);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) =>
        Signal();

    /// <summary>
    /// A grain call failed for the infrastructure's sake (a silo died or hangs). The client learns of a changed
    /// gateway set only at its next gateway list refresh, after the cluster has declared the silo dead; the relay
    /// reacting to this instead is what keeps deliveries from pausing longer than acknowledgements.
    /// </summary>
    public void NotifyGrainCallFailed() => Signal();

    private void Signal()
    {
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }

    public void NotifyClusterConnectionLost()
    {
    }

    /// <summary>Completes at the next change (true), or when the period ends (false), whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan period, CancellationToken cancellationToken) =>
        _changed.WaitAsync(period, cancellationToken);
}
