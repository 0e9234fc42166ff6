using Orleans.Streams;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Rooms;
using OrleansChat.Tests.Support;

namespace OrleansChat.Tests.Functional.Grains;

/// <summary>A user's read positions: published to every subscriber of the user, stored behind, kept across activations.</summary>
[Collection(ChatClusterCollection.Name)]
public sealed class ReadPositionsGrainTests(ChatClusterFixture fixture)
{
    private readonly string _user = "READER-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly Guid _session = Guid.NewGuid();

    private IReadPositionsGrain Positions => fixture.Grains.GetGrain<IReadPositionsGrain>(_user);

    private int Writes => fixture.History.Writes.Count(w => w.GrainId == Positions.GetGrainId() && w.StateName == "read");

    [Fact]
    public async Task A_move_reaches_every_subscriber_of_the_user_and_a_mark_behind_it_does_nothing()
    {
        // Two subscribers on the same user key: two fronts, each holding a connection of the user.
        var first = await ListenAsync(_user);
        var second = await ListenAsync(_user);
        var someoneElse = await ListenAsync(_user + "-other");

        var moved = await Positions.MarkRead(Mark("dev", 5));
        var behind = await Positions.MarkRead(Mark("dev", 3));
        var again = await Positions.MarkRead(Mark("dev", 7));

        Assert.True(moved.Moved);
        Assert.Equal((false, 5L), (behind.Moved, behind.Position.Seq));
        Assert.True(again.Moved);
        foreach (var inbox in new[] { first, second })
        {
            var events = await inbox.TakeAsync(2);
            Assert.Equal([5L, 7L], events.Cast<ReadPositionMoved>().Select(e => e.Seq));
            Assert.All(events.Cast<ReadPositionMoved>(), e => Assert.Equal((_user, "dev"), (e.User, e.Room)));
        }

        await Task.Delay(200);
        Assert.False(first.TryTake(out _));
        Assert.False(someoneElse.TryTake(out _));
    }

    [Fact]
    public async Task Marks_are_stored_together_behind_them_and_survive_reactivation()
    {
        for (var seq = 1; seq <= 20; seq++)
        {
            await Positions.MarkRead(Mark("dev", seq));
        }

        await Positions.MarkRead(Mark("geral", 4));
        Assert.Equal(0, Writes);

        // The write-behind delay passes: one write for all of them.
        var deadline = DateTime.UtcNow + ChatClusterFixture.Limits.ReadPositionWriteDelay * 5;
        while (Writes == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, Writes);
        await Positions.MarkRead(Mark("dev", 21));
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var after = await Positions.GetPositions(new ReadPositionsQuery(_session));
        Assert.Equal(2, Writes);
        Assert.Equal([("dev", 21L), ("geral", 4L)], after.Positions.Select(p => (p.Room, p.Seq)).Order());
    }

    [Fact]
    public async Task A_new_owner_does_not_see_the_positions_of_the_last_one()
    {
        await Positions.MarkRead(Mark("dev", 9));
        var stranger = Guid.NewGuid();

        var seen = await Positions.GetPositions(new ReadPositionsQuery(stranger));
        var theirs = await Positions.MarkRead(new ReadMark(stranger, "dev", "e1", 2));

        Assert.Empty(seen.Positions);
        Assert.True(theirs.Moved);
        Assert.Empty((await Positions.GetPositions(new ReadPositionsQuery(_session))).Positions);
    }

    private ReadMark Mark(string room, long seq) => new(_session, room, "e1", seq);

    private async Task<Inbox<UserEvent>> ListenAsync(string user)
    {
        var inbox = new Inbox<UserEvent>();
        var stream = fixture.Cluster.Client.GetStreamProvider(ChatStreams.ProviderName).GetStream<UserEvent>(ChatStreams.ForUser(user));
        await stream.SubscribeAsync((e, _) =>
        {
            inbox.Add(e);
            return Task.CompletedTask;
        });
        return inbox;
    }
}
