using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.WebFront.Cluster;
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
    // The attempt timeout the schedule below was worked out for, whatever the default.
    private readonly ChatFrontOptions _options = new() { GrainCallAttemptTimeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task A_call_that_never_answers_is_retried_with_growing_pauses_until_the_budget_is_spent_then_fails_as_unavailable()
    {
        var calls = new GrainCalls(Options.Create(_options), _time, new GatewayChangeSignal(), NullLogger<GrainCalls>.Instance);
        var start = _time.GetUtcNow();
        var attempts = new List<TimeSpan>();

        var call = calls.CallAsync(new TestCaller(), () =>
        {
            attempts.Add(_time.GetUtcNow() - start);
            return new TaskCompletionSource<int>().Task;
        });
        // Each wait up to its last millisecond, then past it: the attempt timeout, then 100, 200, 400, 400 ms between
        // attempts. One step a wait, because the next wait starts only when the one before ends. After the fifth
        // timeout 11.1 s have passed: another pause would end beyond the 10 s budget, so the call fails there.
        var timeout = _options.GrainCallAttemptTimeout;
        var pauses = new[] { 100, 200, 400, 400 }.Select(ms => TimeSpan.FromMilliseconds(ms)).ToList();
        var pendingAtEachEdge = new List<bool>();
        foreach (var wait in pauses.SelectMany(p => new[] { timeout, p }).Append(timeout))
        {
            _time.Advance(wait - Millisecond);
            pendingAtEachEdge.Add(!call.IsCompleted);
            _time.Advance(Millisecond);
        }

        var error = await Assert.ThrowsAsync<HubException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ChatErrors.Unavailable, error.Message);
        Assert.All(pendingAtEachEdge, Assert.True);
        var expected = new List<TimeSpan> { TimeSpan.Zero };
        foreach (var pause in pauses)
        {
            expected.Add(expected[^1] + timeout + pause);
        }

        Assert.Equal(expected, attempts);
    }

    [Fact]
    public async Task A_call_that_fails_fast_until_the_cluster_has_moved_on_succeeds_within_one_pause_of_that()
    {
        // A killed silo refuses connections at once; the call works again once the cluster has declared it dead,
        // here 5 s later: well within the budget, so the user sees an answer, not an error.
        var signal = new GatewayChangeSignal();
        var calls = new GrainCalls(Options.Create(_options), _time, signal, NullLogger<GrainCalls>.Instance);
        var start = _time.GetUtcNow();
        var recovered = TimeSpan.FromSeconds(5);
        var attempts = 0;

        var call = calls.CallAsync(new TestCaller(), () =>
        {
            attempts++;
            return _time.GetUtcNow() - start < recovered
                ? Task.FromException<int>(new InvalidOperationException("silo unavailable"))
                : Task.FromResult(42);
        });
        while (!call.IsCompleted && _time.GetUtcNow() - start < _options.GrainCallRetryBudget)
        {
            _time.Advance(Millisecond);
        }

        Assert.Equal(42, await call.WaitAsync(TimeSpan.FromSeconds(10)));
        var answeredAfter = _time.GetUtcNow() - start;
        Assert.InRange(answeredAfter, recovered, recovered + TimeSpan.FromMilliseconds(400));
        Assert.True(attempts > 3, $"only {attempts} attempts: the budget, not a count, bounds the retries");
        // The relay is told, so it reads history while the stream has not caught up with the room's new silo.
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task What_a_closed_connection_tells_the_grains_is_retried_through_a_failover_though_its_caller_is_gone()
    {
        var calls = new GrainCalls(Options.Create(_options), _time, new GatewayChangeSignal(), NullLogger<GrainCalls>.Instance);
        var start = _time.GetUtcNow();
        var recovered = TimeSpan.FromSeconds(3);
        var told = 0;

        var call = calls.ForClosedConnectionAsync("closed", () =>
        {
            if (_time.GetUtcNow() - start < recovered)
            {
                return Task.FromException(new InvalidOperationException("silo unavailable"));
            }

            told++;
            return Task.CompletedTask;
        });
        while (!call.IsCompleted && _time.GetUtcNow() - start < _options.GrainCallRetryBudget)
        {
            _time.Advance(Millisecond);
        }

        await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, told);
        Assert.InRange(_time.GetUtcNow() - start, recovered, recovered + TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public void A_retry_budget_shorter_than_one_attempt_is_refused_at_start_up()
    {
        var options = new ChatFrontOptions { GrainCallAttemptTimeout = TimeSpan.FromSeconds(2), GrainCallRetryBudget = TimeSpan.FromSeconds(1) };
        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(ChatFrontOptions.GrainCallRetryBudget)));
    }
}
