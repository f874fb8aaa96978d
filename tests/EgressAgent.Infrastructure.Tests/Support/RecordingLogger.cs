using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>Keeps every formatted log record, so a test can assert what an operator would read.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _records = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Records => [.. _records];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _records.Enqueue((logLevel, formatter(state, exception)));
}
