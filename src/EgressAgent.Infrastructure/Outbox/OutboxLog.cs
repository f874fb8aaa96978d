using Microsoft.Extensions.Logging;

namespace EgressAgent.Infrastructure.Outbox;

/// <summary>What the outbox and its start-up recovery log, in one place: both say "is corrupt" the same way.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} undelivered result(s) found in {Directory}; publishing them first")]
    internal static partial void Backlog(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {Key} is unreadable ({ErrorType})")]
    internal static partial void Unreadable(ILogger logger, string key, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox entry {Key} is corrupt ({Problem}); moved it to {File} for inspection")]
    internal static partial void Quarantined(ILogger logger, string key, string problem, string file);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox segment {File} cannot be read ({ErrorType}: {Error}); left in place, its results are not delivered")]
    internal static partial void UnreadableSegment(ILogger logger, string file, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox segment {File} ends in an incomplete record ({Bytes} bytes, no line feed) from a write that never finished, so no result in it was reported stored; not delivered, and deleted with the segment once its whole records are")]
    internal static partial void TornTail(ILogger logger, string file, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data directory {Directory} was removed or replaced under this process; no other process held it, so it is locked again and results are stored there from now on")]
    internal static partial void Relocked(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the outbox in {Directory} waits for a result still being written or synced there: the volume has not completed that write")]
    internal static partial void CloseWaitsForCommit(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox segment {File} has {Count} corrupt record(s) and cannot be copied to quarantine ({ErrorType}: {Error}); it is kept in place")]
    internal static partial void CannotQuarantine(ILogger logger, string file, int count, string errorType, string error);
}
