using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.WebFront.Relay;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>The seam between a room's history and its live stream: nothing lost, nothing doubled.</summary>
public sealed class RoomSeamTests
{
    private const int MaxGap = 1_000;
    private const int Recent = 50;

    private static RoomSeam StartedAt(long lastSeq, string epoch = "e1")
    {
        var seam = new RoomSeam();
        seam.Start(epoch, lastSeq);
        return seam;
    }

    [Fact]
    public void A_fresh_join_reads_the_latest_messages_up_to_the_seam_and_does_not_recover()
    {
        var plan = StartedAt(120).PlanJoin(positionSeq: null, positionEpoch: null, MaxGap, Recent);

        Assert.False(plan.Recovering);
        Assert.Equal((1L, 120L, Recent), (plan.Query!.FromSeq, plan.Query.ToSeq, plan.Query.Limit));
    }

    [Fact]
    public void A_rejoin_in_the_same_epoch_reads_exactly_what_it_missed()
    {
        var plan = StartedAt(120).PlanJoin(positionSeq: 100, positionEpoch: "e1", MaxGap, Recent);

        Assert.True(plan.Recovering);
        Assert.Equal((101L, 120L), (plan.Query!.FromSeq, plan.Query.ToSeq));
        Assert.True(plan.Recovered(new(Epoch: "e1", FirstSeq: 1, LastSeq: 120, Messages: [])));
    }

    [Fact]
    public void A_rejoin_that_missed_nothing_reads_nothing_and_recovers()
    {
        var plan = StartedAt(120).PlanJoin(positionSeq: 120, positionEpoch: "e1", MaxGap, Recent);

        Assert.Null(plan.Query);
        Assert.True(plan.Recovered(read: null));
    }

    [Theory]
    [InlineData("e0", 100L)]
    [InlineData("e1", 120L - MaxGap - 1)]
    public void A_rejoin_from_another_epoch_or_past_the_gap_gets_the_latest_instead(string epoch, long seq)
    {
        var plan = StartedAt(120).PlanJoin(seq, epoch, MaxGap, Recent);

        Assert.False(plan.Recovering);
        Assert.Equal(Recent, plan.Query!.Limit);
    }

    [Fact]
    public void A_rejoin_whose_start_retention_dropped_is_not_recovered()
    {
        var plan = StartedAt(120).PlanJoin(positionSeq: 10, positionEpoch: "e1", MaxGap, Recent);

        Assert.False(plan.Recovered(new(Epoch: "e1", FirstSeq: 65, LastSeq: 120, Messages: [])));
    }

    [Fact]
    public void Live_messages_at_or_before_the_seam_are_duplicates_the_next_passes_and_a_later_one_waits_for_a_fill()
    {
        var seam = StartedAt(10);

        Assert.Equal(LiveStep.Duplicate, seam.Classify(9, Guid.NewGuid()));
        Assert.Equal(LiveStep.Duplicate, seam.Classify(10, Guid.NewGuid()));
        Assert.Equal(LiveStep.Next, seam.Classify(11, Guid.NewGuid()));
        Assert.Equal(LiveStep.AfterGap, seam.Classify(14, Guid.NewGuid()));
        Assert.Equal(13, RoomSeam.GapUpTo(14));
        var fill = seam.FillQuery(13);
        Assert.Equal((11L, 13L), (fill.FromSeq, fill.ToSeq));
    }

    [Fact]
    public void A_number_handed_out_before_with_another_message_is_a_conflict_and_a_redelivery_is_a_duplicate()
    {
        var seam = StartedAt(10);
        var eleven = Guid.NewGuid();
        seam.Passed(11, eleven);

        Assert.Equal(LiveStep.Duplicate, seam.Classify(11, eleven));
        Assert.Equal(LiveStep.Conflict, seam.Classify(11, Guid.NewGuid()));
        // Handed out before the seam remembered ids (history read at the start): nothing to compare with.
        Assert.Equal(LiveStep.Duplicate, seam.Classify(10, Guid.NewGuid()));
    }

    [Fact]
    public void Bounds_below_what_was_handed_out_show_the_store_went_back()
    {
        var seam = StartedAt(10);
        seam.Passed(12, Guid.NewGuid());

        Assert.False(seam.IsBehind(new("e1", 1, 12, [])));
        Assert.True(seam.IsBehind(new("e1", 1, 11, [])));
    }

    [Fact]
    public void A_position_past_the_seam_is_not_recovered()
    {
        var plan = StartedAt(12).PlanJoin(positionSeq: 22, positionEpoch: "e1", MaxGap, Recent);

        Assert.False(plan.Recovering);
        Assert.Equal((1L, 12L), (plan.Query!.FromSeq, plan.Query.ToSeq));
    }

    [Fact]
    public void A_reset_starts_in_the_new_epoch_and_remembers_the_latest_messages()
    {
        var seam = StartedAt(22);
        var kept = new MessagePosted("lobby", DateTimeOffset.UnixEpoch, Guid.NewGuid(), 13, "ana", "after the restore");

        seam.Reset(new("e2", 1, 64, [kept]));

        Assert.Equal(("e2", 64L, 64L), (seam.Epoch, seam.LastSeq, seam.CatchUpTarget));
        Assert.Equal(LiveStep.Duplicate, seam.Classify(13, kept.Id));
        Assert.Equal(LiveStep.Conflict, seam.Classify(13, Guid.NewGuid()));
        Assert.Equal(LiveStep.Next, seam.Classify(65, Guid.NewGuid()));
    }

    [Fact]
    public void The_seam_only_moves_forward()
    {
        var seam = StartedAt(10);

        seam.Passed(12);
        seam.Passed(11);

        Assert.Equal(12, seam.LastSeq);
        Assert.Equal(LiveStep.Duplicate, seam.Classify(12, Guid.NewGuid()));
    }

    [Fact]
    public void A_periodic_catch_up_fills_only_what_the_stream_has_not_delivered_for_a_whole_period()
    {
        var seam = StartedAt(10);

        // The room stored up to 30 since the start; the stream had no period to deliver 11..30 yet.
        Assert.Null(seam.CatchUp(storedSeq: 30, everything: false));
        seam.Passed(25);
        // A period later: 26..30 are overdue; 31..40, stored since, are not yet.
        Assert.Equal(30, seam.CatchUp(storedSeq: 40, everything: false));
    }

    [Fact]
    public void A_catch_up_after_the_gateways_changed_fills_everything_stored()
    {
        var seam = StartedAt(10);

        Assert.Equal(40, seam.CatchUp(storedSeq: 40, everything: true));
        seam.Passed(40);
        Assert.Null(seam.CatchUp(storedSeq: 40, everything: true));
    }
}
