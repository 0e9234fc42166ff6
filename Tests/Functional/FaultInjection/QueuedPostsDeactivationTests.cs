using Orleans.Core.Internal;
using OrleansChat.Grains.Interfaces.Events;
using OrleansChat.Grains.Interfaces.Rooms;

namespace OrleansChat.Tests.Functional.FaultInjection;

/// <summary>
/// The room is told to deactivate while a group-commit write is in flight and more posts wait for the next one. The
/// posts must not vanish with the activation: each is acknowledged and stored, or refused and then stored once by
/// its retry on the next activation, which numbers on from what storage holds.
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class QueuedPostsDeactivationTests : IDisposable
{
    private readonly FaultClusterFixture _fixture;
    private readonly FaultyRoom _room;

    public QueuedPostsDeactivationTests(FaultClusterFixture fixture)
    {
        (_fixture, _room) = (fixture, new FaultyRoom(fixture));
        fixture.Heal();
    }

    public void Dispose() => _fixture.Heal();

    [Fact]
    public async Task Posts_queued_behind_a_write_when_the_room_deactivates_are_each_stored_once()
    {
        await _room.JoinAsync();
        var stream = await _fixture.ListenAsync(_room.Name);
        var acknowledged = new List<MessagePosted> { await _room.PostAsync(_room.NewPost("before")) };
        var loads = _room.Loads;
        var held = _room.HoldNextWrite();
        var posts = Enumerable.Range(0, 4).Select(i => _room.NewPost($"p{i}")).ToList();
        var first = _room.Grain.Post(posts[0]);
        await held.Started;
        var queued = posts.Skip(1).Select(_room.Grain.Post).ToList();

        var deactivation = _room.Grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        held.Release();
        var outcomes = await Task.WhenAll(new[] { first }.Concat(queued).Select(Outcome));
        await deactivation;

        // Whatever the deactivation did to them, each sender retries what was refused, with its message id.
        foreach (var (post, outcome) in posts.Zip(outcomes))
        {
            acknowledged.Add(outcome ?? await _room.PostAsync(post));
        }

        acknowledged.Add(await _room.PostAsync(_room.NewPost("after")));
        Assert.Equal(loads + 1, _room.Loads);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), acknowledged.Select(m => m.Seq).Order());
        await _room.AssertNothingAcknowledgedIsLostAsync(stream, acknowledged);
    }

    private static async Task<MessagePosted?> Outcome(Task<PostResult> post)
    {
        try
        {
            var result = await post;
            Assert.Equal(PostStatus.Posted, result.Status);
            return result.Message;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            return null;
        }
    }
}
