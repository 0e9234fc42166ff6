using Microsoft.Extensions.Time.Testing;
using OrleansChat.WebFront.Relay;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>When a room's joins and leaves go out: decided on a fake clock, so every boundary is exact.</summary>
public sealed class PresenceWindowTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();

    private static HeldPresence Change(string nickname, string kind = "joined", int count = 1) => new(nickname, kind, count);

    [Fact]
    public void A_change_after_a_quiet_window_goes_out_at_once()
    {
        var window = new PresenceWindow(Window, _time);

        Assert.True(window.Admit(Change("ana"), out var flushIn));
        Assert.Null(flushIn);
        Assert.False(window.HasHeld);
    }

    [Fact]
    public void Changes_within_the_window_are_held_and_released_together_in_order_when_it_ends()
    {
        var window = new PresenceWindow(Window, _time);
        window.Admit(Change("ana"), out _);
        _time.Advance(TimeSpan.FromMilliseconds(30));

        Assert.False(window.Admit(Change("bia", count: 2), out var flushIn));
        Assert.Equal(TimeSpan.FromMilliseconds(70), flushIn);
        Assert.False(window.Admit(Change("bia", "left", 1), out var second));
        Assert.Null(second);
        Assert.False(window.Admit(Change("caio", count: 2), out _));

        _time.Advance(TimeSpan.FromMilliseconds(70));
        Assert.Equal([Change("bia", count: 2), Change("bia", "left", 1), Change("caio", count: 2)], window.Release());
        Assert.False(window.HasHeld);
    }

    [Fact]
    public void A_release_opens_a_new_window()
    {
        var window = new PresenceWindow(Window, _time);
        window.Admit(Change("ana"), out _);
        window.Admit(Change("bia"), out _);
        _time.Advance(Window);
        window.Release();

        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(window.Admit(Change("caio"), out var flushIn));
        Assert.Equal(TimeSpan.FromMilliseconds(1), flushIn);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Single(window.Release());
        _time.Advance(Window);
        Assert.True(window.Admit(Change("dora"), out _));
    }

    [Fact]
    public void A_change_that_comes_while_others_are_held_is_held_even_after_the_window_ended()
    {
        var window = new PresenceWindow(Window, _time);
        window.Admit(Change("ana"), out _);
        window.Admit(Change("bia"), out _);
        _time.Advance(TimeSpan.FromSeconds(1));

        // The flush is due but has not run yet: going out now would overtake bia.
        Assert.False(window.Admit(Change("caio"), out _));
        Assert.Equal(["bia", "caio"], window.Release().Select(c => c.Nickname));
    }

    [Fact]
    public void A_zero_window_sends_every_change_on_its_own()
    {
        var window = new PresenceWindow(TimeSpan.Zero, _time);

        Assert.True(window.Admit(Change("ana"), out _));
        Assert.True(window.Admit(Change("bia"), out _));
        Assert.True(window.Admit(Change("ana", "left"), out _));
    }
}
