using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// The heart of "nothing lost, nothing doubled" on a front: the seam between a room's history and its live stream.
/// <see cref="LastSeq"/> is the last message handed to the room's connections; everything up to it has reached each
/// of them exactly once. A joining connection reads what it missed from history up to the seam; the stream delivers
/// what comes after it; a hole in the stream is read from history before the next message goes out. It also notices
/// when the room's store went back (<see cref="LiveStep.Conflict"/>, <see cref="IsBehind"/>). It decides; its caller
/// (a room's feed, under the room's gate) reads history and writes.
/// </summary>
public sealed class RoomSeam
{
    /// <summary>How many of the last messages' ids the seam remembers, to tell a redelivery from a reused number.</summary>
    public const int RememberedIds = 256;

    private readonly long[] _recentSeqs = new long[RememberedIds];
    private readonly Guid[] _recentIds = new Guid[RememberedIds];
    private long _lastSeq;

    /// <summary>The history epoch the seam belongs to; a new epoch means an earlier position cannot be recovered.</summary>
    public string Epoch { get; private set; } = string.Empty;

    /// <summary>The last message handed to the room's connections. Read without the gate by the hub, for a post.</summary>
    public long LastSeq
    {
        get => Volatile.Read(ref _lastSeq);
        private set => Volatile.Write(ref _lastSeq, value);
    }

    /// <summary>The room's last stored message at the previous catch-up: the stream has had a period to deliver it.</summary>
    public long CatchUpTarget { get; private set; }

    /// <summary>Starts at the room's stored bounds, read right after subscribing.</summary>
    public void Start(string epoch, long lastSeq) => (Epoch, LastSeq, CatchUpTarget) = (epoch, lastSeq, lastSeq);

    /// <summary>
    /// The room says it has stored less than this front handed out: its store went back. Never true in a healthy
    /// room, which publishes a message only once it is stored.
    /// </summary>
    public bool IsBehind(MessageRange bounds) => bounds.LastSeq < LastSeq;

    /// <summary>Starts again in the room's new epoch, from its latest messages (which the feed hands out).</summary>
    public void Reset(MessageRange latest)
    {
        Start(latest.Epoch, latest.LastSeq);
        Array.Clear(_recentSeqs);
        foreach (var message in latest.Messages)
        {
            Remember(message.Seq, message.Id);
        }
    }

    /// <summary>
    /// What a connection joining at <paramref name="position"/> reads from history, up to the seam: exactly what it
    /// missed when its position is in this epoch and the gap is at most <paramref name="maxRecoveryGap"/>, otherwise
    /// the latest <paramref name="recentOnJoin"/> messages.
    /// </summary>
    public JoinRead PlanJoin(long? positionSeq, string? positionEpoch, int maxRecoveryGap, int recentOnJoin)
    {
        // A position past the seam cannot be this epoch's: a client that saw more than the room has stored saw a
        // history the room no longer has.
        var canRecover = positionSeq is { } seq && positionEpoch == Epoch && seq <= LastSeq && LastSeq - seq <= maxRecoveryGap;
        if (!canRecover)
        {
            return new JoinRead(new MessageQuery(1, LastSeq, recentOnJoin, MessagesOnly: true), Recovering: false);
        }

        var from = positionSeq!.Value + 1;
        return from > LastSeq
            ? new JoinRead(null, Recovering: true)
            : new JoinRead(new MessageQuery(from, LastSeq, maxRecoveryGap), Recovering: true);
    }

    /// <summary>
    /// Where a live message stands against the seam: already handed out (drop it), its number already handed out
    /// with another message (the store went back), next in line, or after a hole that history must fill first
    /// (<see cref="GapUpTo"/>).
    /// </summary>
    public LiveStep Classify(long seq, Guid id)
    {
        if (seq > LastSeq)
        {
            return seq == LastSeq + 1 ? LiveStep.Next : LiveStep.AfterGap;
        }

        var slot = Slot(seq);
        return _recentSeqs[slot] == seq && _recentIds[slot] != id ? LiveStep.Conflict : LiveStep.Duplicate;
    }

    /// <summary>For a message after a hole: the last sequence number history must fill.</summary>
    public static long GapUpTo(long seq) => seq - 1;

    /// <summary>The history read that fills the seam up to <paramref name="upTo"/>.</summary>
    public MessageQuery FillQuery(long upTo) => new(LastSeq + 1, upTo, int.MaxValue);

    /// <summary>A message was handed to the room's connections.</summary>
    public void Passed(long seq, Guid id)
    {
        Remember(seq, id);
        Passed(seq);
    }

    /// <summary>History was read up to <paramref name="seq"/>, whatever it held.</summary>
    public void Passed(long seq) => LastSeq = Math.Max(LastSeq, seq);

    private static int Slot(long seq) => (int)(seq % RememberedIds);

    private void Remember(long seq, Guid id)
    {
        var slot = Slot(seq);
        (_recentSeqs[slot], _recentIds[slot]) = (seq, id);
    }

    /// <summary>
    /// A periodic or gateway-change catch-up, given the room's last stored message: how far history must fill now,
    /// or null. On a period only what the stream has not delivered for a whole period (under load the stream runs
    /// behind the room, and reading history for messages it is about to deliver would deliver them twice over);
    /// <paramref name="everything"/> when the gateways changed, since events queued on a dead silo never come.
    /// </summary>
    public long? CatchUp(long storedSeq, bool everything)
    {
        var overdue = everything ? storedSeq : Math.Min(CatchUpTarget, storedSeq);
        CatchUpTarget = storedSeq;
        return overdue > LastSeq ? overdue : null;
    }
}

/// <summary>What a joining connection reads from history (nothing when it missed nothing), and whether it recovers.</summary>
public sealed record JoinRead(MessageQuery? Query, bool Recovering)
{
    /// <summary>
    /// Recovered: the connection gets exactly what it missed, unless retention dropped the start of it (then it gets
    /// what is left, and should reload history).
    /// </summary>
    public bool Recovered(MessageRange? read) => Recovering && (Query is null || read is null || Query.FromSeq >= read.FirstSeq);
}

/// <summary>A live message against the seam.</summary>
public enum LiveStep
{
    Duplicate,
    Conflict,
    Next,
    AfterGap,
}
