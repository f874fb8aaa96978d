using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Tests.Support;

/// <summary>Keeps every formatted log message with its level, for tests that assert on what was logged.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _records = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Records => [.. _records];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _records.Enqueue((logLevel, formatter(state, exception)));
    }

    public bool Logged(LogLevel level, string fragment) =>
        _records.Any(r => r.Level == level && r.Message.Contains(fragment, StringComparison.Ordinal));
}
