using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansChat.Tests.Support;

/// <summary>
/// Keeps what a host logs at Information and above, so a test can assert that nothing went unhandled and that the
/// protocol's own refusals (a <c>HubException</c> such as "invalid nickname") stay below Error.
/// </summary>
public sealed class LogSink : ILoggerProvider
{
    /// <summary>Every entry at Error or above, whatever its exception.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Every entry at Information or above, as "level category: message ExceptionType".</summary>
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name}";
            sink.Entries.Enqueue(line);
            if (logLevel >= LogLevel.Error)
            {
                sink.Errors.Enqueue(line);
            }
        }
    }
}
