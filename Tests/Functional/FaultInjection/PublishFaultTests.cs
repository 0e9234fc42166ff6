using Orleans.Core.Internal;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>
/// Publishing fails after the write: the message is stored but no front hears of it from the stream. The sender is
/// told the post failed; its retry with the same message id must return the stored message rather than store or
/// number it again, and the numbering carries on after it.
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class PublishFaultTests : IDisposable
{
    private readonly FaultClusterFixture _fixture;
    private readonly FaultyRoom _room;

    public PublishFaultTests(FaultClusterFixture fixture)
    {
        (_fixture, _room) = (fixture, new FaultyRoom(fixture));
        fixture.Heal();
    }

    public void Dispose() => _fixture.Heal();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_post_stored_but_not_published_is_refused_and_its_retry_returns_the_stored_message(bool roomReloadsBeforeTheRetry)
    {
        await _room.JoinAsync();
        var stream = await _fixture.ListenAsync(_room.Name);
        var acknowledged = new List<MessagePosted> { await _room.PostAsync(_room.NewPost("before")) };
        var unpublished = _room.NewPost("stored, never streamed");
        var roomStream = ChatStreams.ForRoom(_room.Name);
        var refusedBefore = _fixture.Publish.Failed;
        _fixture.Publish.Fail = id => id == roomStream;

        await Assert.ThrowsAnyAsync<Exception>(() => _room.Grain.Post(unpublished));
        _fixture.Publish.Fail = _ => false;
        Assert.True(_fixture.Publish.Failed > refusedBefore, "The publish fault was never hit.");
        if (roomReloadsBeforeTheRetry)
        {
            var loads = _room.Loads;
            await _room.Grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
            await _room.Grain.GetSnapshot();
            Assert.Equal(loads + 1, _room.Loads);
        }

        var retried = await _room.PostAsync(unpublished);
        acknowledged.Add(retried);
        acknowledged.Add(await _room.PostAsync(_room.NewPost("after")));

        Assert.Equal((unpublished.MessageId, 2L), (retried.Id, retried.Seq));
        Assert.Equal(3, acknowledged[^1].Seq);
        await _room.AssertNothingAcknowledgedIsLostAsync(stream, acknowledged);
    }
}
