namespace EgressAgent.Infrastructure.Logging;

/// <summary>One log record as <c>/api/v1/agent/logs</c> returns it.</summary>
internal sealed record LogRecord(DateTimeOffset Timestamp, string Level, string Category, string Message, string? ExceptionType);
