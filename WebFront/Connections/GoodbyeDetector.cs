namespace OrleansChat.WebFront.Connections;

/// <summary>
/// Recognises the hub protocol's close message in what a client sends, on any transport. Every SignalR client sends
/// it when told to stop ("a best effort attempt to let the server know the client closed gracefully", in the official
/// JavaScript client's words), and it is the last message a client sends, so it ends the bytes seen so far. Only the
/// last few bytes are kept, so a close message split across reads is still recognised at O(1) cost a read.
/// </summary>
internal sealed class GoodbyeDetector
{
    private readonly byte[] _tail = new byte[Record.Length];
    private int _tailLength;

    /// <summary>The close message as a client writes it: JSON protocol, then the record separator.</summary>
    private static ReadOnlySpan<byte> Record => "{\"type\":7}\u001e"u8;

    /// <summary>Takes the next bytes received; true when they end with the close message.</summary>
    public bool Observe(ReadOnlySpan<byte> received)
    {
        if (received.IsEmpty)
        {
            return false;
        }

        if (received.Length >= _tail.Length)
        {
            received[^_tail.Length..].CopyTo(_tail);
            _tailLength = _tail.Length;
        }
        else
        {
            var kept = Math.Min(_tailLength, _tail.Length - received.Length);
            _tail.AsSpan(_tailLength - kept, kept).CopyTo(_tail);
            received.CopyTo(_tail.AsSpan(kept));
            _tailLength = kept + received.Length;
        }

        return _tail.AsSpan(0, _tailLength).EndsWith(Record);
    }
}
