using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Support;

/// <summary>Keeps every formatted log record, so a test can assert what an operator would read.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _records = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Records => [.. _records];

    /// <summary>When set, logging a record whose message it accepts throws (after recording it): a log sink that fails.</summary>
    public Func<string, bool>? ThrowOn { get; set; }

    public ILogger CreateLogger(string categoryName) => new Recorder(_records, this);

    public void Dispose()
    {
    }

    private sealed class Recorder(ConcurrentQueue<(LogLevel Level, string Message)> records, RecordingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            records.Enqueue((logLevel, message));
            if (owner.ThrowOn?.Invoke(message) == true)
            {
                throw new InvalidOperationException("the log sink failed");
            }
        }
    }
}
