using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Support;

/// <summary>Keeps every formatted log record, so a test can assert what an operator would read.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _records = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Records => [.. _records];

    public ILogger CreateLogger(string categoryName) => new Recorder(_records);

    public void Dispose()
    {
    }

    private sealed class Recorder(ConcurrentQueue<(LogLevel Level, string Message)> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            records.Enqueue((logLevel, formatter(state, exception)));
    }
}
