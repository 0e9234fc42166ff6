using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.WebFront.Relay;

/// <summary>
/// The heart of "nothing lost, nothing doubled" on a front: the seam between a room's history and its live stream.
/// <see cref="LastSeq"/> is the last message handed to the room's connections; everything up to it has reached each
/// of them exactly once. A joining connection reads what it missed from history up to the seam; the stream delivers
/// what comes after it; a hole in the stream is read from history before the next message goes out. It decides; its
/// caller (a room's feed, under the room's gate) reads history and writes.
/// </summary>
public sealed class RoomSeam
{
    /// <summary>The history epoch the seam belongs to; a new epoch means an earlier position cannot be recovered.</summary>
    public string Epoch { get; private set; } = string.Empty;

    /// <summary>The last message handed to the room's connections.</summary>
    public long LastSeq { get; private set; }

    /// <summary>The room's last stored message at the previous catch-up: the stream has had a period to deliver it.</summary>
    public long CatchUpTarget { get; private set; }

    /// <summary>Starts at the room's stored bounds, read right after subscribing.</summary>
    public void Start(string epoch, long lastSeq) => (Epoch, LastSeq, CatchUpTarget) = (epoch, lastSeq, lastSeq);

    /// <summary>
    /// What a connection joining at <paramref name="position"/> reads from history, up to the seam: exactly what it
    /// missed when its position is in this epoch and the gap is at most <paramref name="maxRecoveryGap"/>, otherwise
    /// the latest <paramref name="recentOnJoin"/> messages.
    /// </summary>
    public JoinRead PlanJoin(long? positionSeq, string? positionEpoch, int maxRecoveryGap, int recentOnJoin)
    {
        var canRecover = positionSeq is { } seq && positionEpoch == Epoch && LastSeq - seq <= maxRecoveryGap;
        if (!canRecover)
        {
            return new JoinRead(new MessageQuery(1, LastSeq, recentOnJoin), Recovering: false);
        }

        var from = positionSeq!.Value + 1;
        return from > LastSeq
            ? new JoinRead(null, Recovering: true)
            : new JoinRead(new MessageQuery(from, LastSeq, maxRecoveryGap), Recovering: true);
    }

    /// <summary>
    /// Where a live message stands against the seam: already handed out (drop it), next in line, or after a hole that
    /// history must fill first (<see cref="GapUpTo"/>).
    /// </summary>
    public LiveStep Classify(long seq) =>
        seq <= LastSeq ? LiveStep.Duplicate
        : seq == LastSeq + 1 ? LiveStep.Next
        : LiveStep.AfterGap;

    /// <summary>For a message after a hole: the last sequence number history must fill.</summary>
    public static long GapUpTo(long seq) => seq - 1;

    /// <summary>The history read that fills the seam up to <paramref name="upTo"/>.</summary>
    public MessageQuery FillQuery(long upTo) => new(LastSeq + 1, upTo, int.MaxValue);

    /// <summary>A message was handed to the room's connections.</summary>
    public void Passed(long seq) => LastSeq = Math.Max(LastSeq, seq);

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
    Next,
    AfterGap,
}
