using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>
/// The write that stores a batch of posts (group commit) fails, conflicts, or hangs past the caller's timeout. Every
/// post of the batch must then be refused or acknowledged truthfully: what was refused may be retried with its
/// message id and is stored once, what was acknowledged is in history with the number its sender was told, and no
/// sequence number goes to two messages.
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class StorageWriteFaultTests : IDisposable
{
    private readonly FaultClusterFixture _fixture;
    private readonly FaultyRoom _room;

    public StorageWriteFaultTests(FaultClusterFixture fixture)
    {
        (_fixture, _room) = (fixture, new FaultyRoom(fixture));
        fixture.Heal();
    }

    public void Dispose() => _fixture.Heal();

    [Theory]
    [InlineData(WriteFault.Fails)]
    [InlineData(WriteFault.Conflicts)]
    public async Task Posts_of_a_batch_whose_write_fails_are_refused_and_their_retries_are_stored_once(WriteFault fault)
    {
        await _room.JoinAsync();
        var stream = await _fixture.ListenAsync(_room.Name);
        var acknowledged = new List<MessagePosted> { await _room.PostAsync(_room.NewPost("before")) };
        var held = _room.HoldNextWrite();
        var inFlight = _room.NewPost("in flight");
        var writing = _room.Grain.Post(inFlight);
        await held.Started;
        var queued = Enumerable.Range(0, 3).Select(i => _room.NewPost($"queued {i}")).ToList();
        var waiting = queued.Select(_room.Grain.Post).ToList();

        _room.FailNextWrite(fault);
        held.Release();

        await Assert.ThrowsAnyAsync<Exception>(() => writing);
        foreach (var post in waiting)
        {
            // Posts that reached the room during the write wait for the next one, which the failure cancels; a post
            // the room only saw after the failure is stored by the next activation. Either is the truth.
            try
            {
                var result = await post;
                Assert.Equal(PostStatus.Posted, result.Status);
                acknowledged.Add(result.Message!);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
            }
        }

        // A sender that was refused retries at once, with the same message id, as a front does.
        foreach (var request in new[] { inFlight }.Concat(queued))
        {
            acknowledged.Add(await PostWithRetriesAsync(request));
        }

        acknowledged.Add(await _room.PostAsync(_room.NewPost("after")));
        Assert.Equal(6, acknowledged.DistinctBy(m => m.Id).Count());
        await _room.AssertNothingAcknowledgedIsLostAsync(stream, acknowledged);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_post_whose_write_hangs_past_the_call_timeout_is_stored_once_when_retried(bool writeFailsInTheEnd)
    {
        await _room.JoinAsync();
        var stream = await _fixture.ListenAsync(_room.Name);
        var acknowledged = new List<MessagePosted> { await _room.PostAsync(_room.NewPost("before")) };
        var held = _room.HoldNextWrite();
        var slow = _room.NewPost("slow");

        var first = _room.Grain.Post(slow);
        await held.Started;
        await Assert.ThrowsAsync<TimeoutException>(() => first);
        if (writeFailsInTheEnd)
        {
            _room.FailNextWrite(WriteFault.Fails);
        }

        var retry = PostWithRetriesAsync(slow);
        held.Release();
        acknowledged.Add(await retry);

        acknowledged.Add(await _room.PostAsync(_room.NewPost("after")));
        Assert.Equal([1, 2, 3], acknowledged.Select(m => m.Seq));
        await _room.AssertNothingAcknowledgedIsLostAsync(stream, acknowledged);
    }

    /// <summary>What a front does with a post that fails: up to three attempts, each with the same message id.</summary>
    private async Task<MessagePosted> PostWithRetriesAsync(PostRequest request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _room.PostAsync(request);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException && attempt < 3)
            {
            }
        }
    }
}
