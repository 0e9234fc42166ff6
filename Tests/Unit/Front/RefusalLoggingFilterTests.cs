using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using OrleansChat.WebFront.Hubs;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.Tests.Unit.Front;

/// <summary>The level a failed hub call is logged at: what decides whether an operator gets paged.</summary>
public sealed class RefusalLoggingFilterTests
{
    private readonly RecordingLogger _log = new();

    [Fact]
    public async Task A_refusal_is_one_information_line_without_the_exception_and_still_reaches_the_caller()
    {
        var thrown = await Assert.ThrowsAsync<HubException>(() => InvokeAsync(new HubException(ChatErrors.NicknameTaken)));

        Assert.Equal(ChatErrors.NicknameTaken, thrown.Message);
        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Null(entry.Exception);
        Assert.Equal($"Register refused for connection conn-1: {ChatErrors.NicknameTaken}", entry.Message);
    }

    [Fact]
    public async Task A_rate_limited_call_is_debug_so_a_flood_does_not_flood_the_log()
    {
        await Assert.ThrowsAsync<HubException>(() => InvokeAsync(new HubException(ChatErrors.RateLimited)));

        Assert.Equal(LogLevel.Debug, Assert.Single(_log.Entries).Level);
    }

    [Fact]
    public async Task An_unexpected_exception_is_still_an_error_with_its_stack()
    {
        var bug = new InvalidOperationException("a bug");

        Assert.Same(bug, await Assert.ThrowsAsync<InvalidOperationException>(() => InvokeAsync(bug)));

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Same(bug, entry.Exception);
    }

    private async Task InvokeAsync(Exception failure)
    {
        var filter = new RefusalLoggingFilter(_log);
        var context = new HubInvocationContext(
            new TestCaller(), new EmptyServices(), new NoHub(), typeof(ChatHub).GetMethod(nameof(ChatHub.Register))!, []);
        await filter.InvokeMethodAsync(context, _ => ValueTask.FromException<object?>(failure));
    }

    private sealed record Entry(LogLevel Level, string Message, Exception? Exception);

    private sealed class RecordingLogger : ILogger<RefusalLoggingFilter>
    {
        public List<Entry> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add(new Entry(logLevel, formatter(state, exception), exception));
    }

    private sealed class NoHub : Hub;

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
