using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.WebFront.Hubs;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>
/// How long a hub call caught on a dead silo holds its user up, on a fake clock: this, not Orleans' response
/// timeout, bounds the pause around a silo kill that the cluster tests measure on the real clock.
/// </summary>
public sealed class GrainCallsTests
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    private readonly FakeTimeProvider _time = new();
    private readonly ChatFrontOptions _options = new();

    [Fact]
    public async Task A_call_that_never_answers_is_tried_three_times_and_fails_as_unavailable_at_the_exact_deadline()
    {
        var calls = new GrainCalls(Options.Create(_options), _time, NullLogger<GrainCalls>.Instance);
        var start = _time.GetUtcNow();
        var attempts = new List<TimeSpan>();

        var call = calls.CallAsync(new Caller(), () =>
        {
            attempts.Add(_time.GetUtcNow() - start);
            return new TaskCompletionSource<int>().Task;
        });
        // Each wait up to its last millisecond, then past it: the attempt timeout, 250 ms, the timeout, 500 ms, the
        // timeout. One step a wait, because the next wait starts only when the one before ends.
        var timeout = _options.GrainCallAttemptTimeout;
        var pendingAtEachEdge = new List<bool>();
        foreach (var wait in new[] { timeout, TimeSpan.FromMilliseconds(250), timeout, TimeSpan.FromMilliseconds(500), timeout })
        {
            _time.Advance(wait - Millisecond);
            pendingAtEachEdge.Add(!call.IsCompleted);
            _time.Advance(Millisecond);
        }

        var error = await Assert.ThrowsAsync<HubException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ChatErrors.Unavailable, error.Message);
        Assert.All(pendingAtEachEdge, Assert.True);
        Assert.Equal([TimeSpan.Zero, timeout + TimeSpan.FromMilliseconds(250), timeout * 2 + TimeSpan.FromMilliseconds(750)], attempts);
    }

    private sealed class Caller : HubCallerContext
    {
        public override string ConnectionId => "conn-1";

        public override string? UserIdentifier => null;

        public override ClaimsPrincipal? User => null;

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }
}
