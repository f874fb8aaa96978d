using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Logging;

/// <summary>
/// Feeds <see cref="LogRingBuffer"/> with every record the logging filters let through, as the
/// formatted message (our messages carry no secret; exceptions are kept by type name only).
/// </summary>
[ProviderAlias("RingBuffer")]
internal sealed class RingBufferLoggerProvider(LogRingBuffer buffer, TimeProvider timeProvider) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new RingBufferLogger(buffer, timeProvider, categoryName);

    public void Dispose()
    {
    }

    private sealed class RingBufferLogger(LogRingBuffer buffer, TimeProvider timeProvider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            buffer.Add(new LogRecord(timeProvider.GetUtcNow(), logLevel.ToString(), category, formatter(state, null), exception?.GetType().Name));
        }
    }
}
