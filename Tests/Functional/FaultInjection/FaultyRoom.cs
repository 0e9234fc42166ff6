using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>
/// A room of its own on the <see cref="FaultClusterFixture"/>, one member, one-shot faults on the room's log writes,
/// and the audit every fault test ends with: what a caller was told matches what history holds and the stream
/// carried.
/// </summary>
public sealed class FaultyRoom(FaultClusterFixture fixture)
{
    /// <summary>The room's log state (<c>[PersistentState("log")]</c>): the write that stores a batch of posts.</summary>
    private const string LogState = "log";

    public string Name { get; } = "faults-" + Guid.NewGuid().ToString("N")[..8];

    public IChatRoomGrain Grain => fixture.Grains.GetGrain<IChatRoomGrain>(Name);

    private Guid Session { get; } = Guid.NewGuid();

    public async Task JoinAsync() =>
        Assert.Equal(JoinStatus.Joined, (await Grain.Join(new JoinRequest("ana", Session, "front"))).Status);

    public PostRequest NewPost(string text) => new(Guid.NewGuid(), "ana", Session, text);

    /// <summary>Posts and expects an acknowledgement.</summary>
    public async Task<MessagePosted> PostAsync(PostRequest request)
    {
        var result = await Grain.Post(request);
        Assert.Equal(PostStatus.Posted, result.Status);
        return result.Message!;
    }

    /// <summary>Holds the room's next log write until the test releases it.</summary>
    public HeldWrite HoldNextWrite()
    {
        var held = new HeldWrite();
        var taken = 0;
        fixture.History.HoldWrite = (state, id) =>
            IsLog(state, id) && Interlocked.Exchange(ref taken, 1) == 0 ? held.Enter() : null;
        return held;
    }

    /// <summary>Makes the room's next log write fail or conflict (decided after any hold).</summary>
    public void FailNextWrite(WriteFault fault)
    {
        var taken = 0;
        Func<string, GrainId, bool> once = (state, id) => IsLog(state, id) && Interlocked.Exchange(ref taken, 1) == 0;
        if (fault == WriteFault.Conflicts)
        {
            fixture.History.ConflictWrite = once;
        }
        else
        {
            fixture.History.FailWrite = once;
        }
    }

    /// <summary>How many times the room has loaded its log: one more means a new activation.</summary>
    public int Loads => fixture.History.ReadsOf(Grain.GetGrainId(), LogState);

    /// <summary>
    /// Every acknowledged message is in history exactly once, with the sequence number its sender was told; history
    /// is gapless from 1 and holds no message twice; the stream carried messages in order, never a sequence number
    /// twice or with another message than history's, up to the last acknowledged one.
    /// </summary>
    public async Task AssertNothingAcknowledgedIsLostAsync(Inbox<RoomEvent> stream, IReadOnlyCollection<MessagePosted> acknowledged)
    {
        var history = (await Grain.GetMessages(new MessageQuery(1, long.MaxValue, 1000))).Messages;
        Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(m => m.Seq));
        Assert.Equal(history.Count, history.Select(m => m.Id).Distinct().Count());
        var stored = history.ToDictionary(m => m.Seq);
        Assert.All(acknowledged, ack => Assert.Equal((ack.Id, ack.Text), (stored[ack.Seq].Id, stored[ack.Seq].Text)));

        var last = acknowledged.Max(m => m.Seq);
        var streamed = new List<MessagePosted>();
        while (streamed.Count == 0 || streamed[^1].Seq < last)
        {
            if (await stream.NextAsync() is MessagePosted message)
            {
                streamed.Add(message);
            }
        }

        Assert.All(streamed.Zip(streamed.Skip(1)), pair => Assert.True(pair.First.Seq < pair.Second.Seq,
            $"The stream carried seq {pair.Second.Seq} after {pair.First.Seq}."));
        Assert.All(streamed, m => Assert.Equal(stored[m.Seq].Id, m.Id));
    }

    private bool IsLog(string state, GrainId id) => state == LogState && id == Grain.GetGrainId();
}

public enum WriteFault
{
    Fails,
    Conflicts,
}
