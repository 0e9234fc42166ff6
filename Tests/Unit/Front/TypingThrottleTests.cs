using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.WebFront.Connections;
using OrleansChat.WebFront.Hubs;
using OrleansChat.WebFront.Settings;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>How often a connection's typing reaches a room: decided on a fake clock, so the interval's edge is exact.</summary>
public sealed class TypingThrottleTests
{
    private static readonly TimeSpan Interval = new ChatFrontOptions().TypingInterval;
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly FakeTimeProvider _time = new();
    private readonly ConnectionSession _session = new("ana", "ana", Guid.NewGuid(), "token", "conn-1");

    private TypingThrottle Throttle => new(Options.Create(new ChatFrontOptions()), _time);

    [Fact]
    public void Typing_goes_out_once_per_interval_counted_from_the_last_that_went_out()
    {
        var throttle = Throttle;

        var first = throttle.Admit(_session, "sala");
        _time.Advance(Interval - Tick);
        var justBefore = throttle.Admit(_session, "sala");
        _time.Advance(Tick);
        var atTheEdge = throttle.Admit(_session, "sala");
        _time.Advance(Interval - Tick);
        var withinTheNext = throttle.Admit(_session, "sala");

        Assert.Equal((true, false, true, false), (first, justBefore, atTheEdge, withinTheNext));
    }

    [Fact]
    public void Each_room_and_each_connection_has_its_own_interval()
    {
        var throttle = Throttle;
        var other = new ConnectionSession("bia", "bia", Guid.NewGuid(), "token", "conn-2");
        throttle.Admit(_session, "sala");

        Assert.True(throttle.Admit(_session, "cozinha"));
        Assert.True(throttle.Admit(other, "sala"));
        Assert.False(throttle.Admit(_session, "sala"));
    }
}
