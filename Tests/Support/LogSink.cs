using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansChat.Tests.Support;

/// <summary>
/// Keeps every error a host logs, so a test can assert that nothing went unhandled. SignalR logs each
/// <c>HubException</c> (an answer the hub gave on purpose, such as "invalid nickname") at error level too; those
/// are the protocol working, not failures, and are left out.
/// </summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<string> Errors { get; } = new();

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && exception is not Microsoft.AspNetCore.SignalR.HubException)
            {
                sink.Errors.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name}");
            }
        }
    }
}
