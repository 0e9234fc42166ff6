using OrleansChat.Grains.Interfaces.Reading;
using OrleansChat.Grains.Reading;

namespace OrleansChat.Tests.Unit.Grains;

/// <summary>What moves a user's read positions: forward only, one owner's, a bounded number of rooms.</summary>
public sealed class ReadPositionsTests
{
    private static readonly Guid Session = Guid.NewGuid();
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_position_only_moves_forward_within_an_epoch()
    {
        var positions = new ReadPositions(new ReadPositionsState(), capacity: 10);

        Assert.True(positions.Advances(Mark("dev", 5)));
        positions.Apply(Mark("dev", 5), Now);

        Assert.False(positions.Advances(Mark("dev", 5)));
        Assert.False(positions.Advances(Mark("dev", 3)));
        Assert.False(positions.Advances(Mark("dev", 0)));
        Assert.False(positions.Advances(Mark("other", -1)));
        Assert.True(positions.Advances(Mark("dev", 6)));
        Assert.Equal(new ReadPosition("dev", "e1", 5), positions.Of(Session, "dev"));
    }

    [Fact]
    public void A_mark_in_another_epoch_replaces_the_position_whatever_its_number()
    {
        // The room's store was lost and it numbers from 1 again: the old position means nothing there.
        var positions = new ReadPositions(new ReadPositionsState(), capacity: 10);
        positions.Apply(Mark("dev", 500), Now);

        Assert.True(positions.Advances(Mark("dev", 3, epoch: "e2")));
        positions.Apply(Mark("dev", 3, epoch: "e2"), Now);

        Assert.Equal(new ReadPosition("dev", "e2", 3), positions.Of(Session, "dev"));
    }

    [Fact]
    public void Positions_belong_to_one_owner_and_another_owner_starts_from_nothing()
    {
        var positions = new ReadPositions(new ReadPositionsState(), capacity: 10);
        positions.Apply(Mark("dev", 9), Now);
        positions.Apply(Mark("geral", 4), Now);
        var stranger = Guid.NewGuid();

        Assert.Empty(positions.All(stranger));
        Assert.Null(positions.Of(stranger, "dev"));
        Assert.True(positions.Advances(Mark("dev", 1, owner: stranger)));
        positions.Apply(Mark("dev", 1, owner: stranger), Now);

        Assert.Equal([new ReadPosition("dev", "e1", 1)], positions.All(stranger));
        Assert.Empty(positions.All(Session));
    }

    [Fact]
    public void Past_its_capacity_the_room_marked_longest_ago_is_dropped()
    {
        var positions = new ReadPositions(new ReadPositionsState(), capacity: 3);
        positions.Apply(Mark("a", 1), Now);
        positions.Apply(Mark("b", 1), Now.AddSeconds(1));
        positions.Apply(Mark("c", 1), Now.AddSeconds(2));
        positions.Apply(Mark("a", 2), Now.AddSeconds(3));

        positions.Apply(Mark("d", 1), Now.AddSeconds(4));

        Assert.Equal(["a", "c", "d"], positions.All(Session).Select(p => p.Room).Order());
    }

    private static ReadMark Mark(string room, long seq, string epoch = "e1", Guid? owner = null) =>
        new(owner ?? Session, room, epoch, seq);
}
