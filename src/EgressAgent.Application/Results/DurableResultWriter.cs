using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Timing;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Results;

/// <summary>
/// Puts a finished result into the outbox without ever dropping it for a storage fault (docs/protocol.md
/// §10): when the store fails with an I/O error (disk full, directory removed or replaced by a
/// file, read-only remount, permission denied) the result stays here, in memory, and storing is
/// retried with full-jitter backoff until it works. Meanwhile <see cref="StorageHealth"/> says
/// degraded, which pauses intake and keeps heartbeats going (docs/adr/0014). The caller's worker
/// waits, holding its slot, so a drain waits for it too.
/// </summary>
internal sealed partial class DurableResultWriter(
    IResultOutbox outbox,
    StorageHealth health,
    WorkSignal workSignal,
    TimeProvider timeProvider,
    ILogger<DurableResultWriter> logger,
    ILoopProgress? progress = null) // optional: rigs that do not watch liveness leave it out
{
    internal static readonly TimeSpan FirstRetryCeiling = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan MaxRetryCeiling = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinimumRetryDelay = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// True once the result is stored. False when it is lost: <paramref name="giveUp"/> (shutdown
    /// cancelling running work) fired while storage still failed, or it could not be written at all.
    /// </summary>
    public async Task<bool> StoreAsync(string operationId, OperationResult result, CancellationToken giveUp)
    {
        var failure = await TryAddAsync(operationId, result);
        if (failure is null)
        {
            return true;
        }

        if (!IsStorageFault(failure))
        {
            // Not the disk: the result itself cannot be written (a value the JSON writer refuses).
            // Retrying would fail the same way forever; the operation still ends in one result.
            LogUnwritable(logger, operationId, failure.GetType().Name, failure.Message);
            result = failure switch
            {
                // A cap met while the result was written, or memory ran out: ResourceExhausted (docs/adr/0043).
                OperationFailedException capped => OperationResult.Failure(capped.Message, capped.Kind, result.TraceId),
                _ when failure.IsOutOfMemory() => ResourceLimits.OutOfMemory("while storing the result", result.TraceId),
                _ => OperationResult.Failure($"The result could not be stored: {failure.Message}", failure.GetType().Name, result.TraceId),
            };
            failure = await TryAddAsync(operationId, result);
            if (failure is null)
            {
                return true;
            }

            if (!IsStorageFault(failure))
            {
                LogLost(logger, operationId, failure.GetType().Name, failure.Message);
                return false;
            }
        }

        return await RetryAsync(operationId, result, failure, giveUp);
    }

    private async Task<bool> RetryAsync(string operationId, OperationResult result, Exception failure, CancellationToken giveUp)
    {
        LogWaiting(logger, operationId, failure.GetType().Name, failure.Message);
        var reason = ReasonOf(failure);
        if (health.StartWaiting(reason))
        {
            LogDegraded(logger, reason);
        }
        var backoff = new FullJitterBackoff(FirstRetryCeiling, MaxRetryCeiling);
        var attempts = 1;
        var stored = false;
        try
        {
            while (true)
            {
                // At least a millisecond: Task.Delay counts whole milliseconds, so a smaller draw
                // would retry at once, without the backoff the draw was for.
                var delay = backoff.NextDelay(Random.Shared.NextDouble, MinimumRetryDelay);
                try
                {
                    await Task.Delay(delay, timeProvider, giveUp);
                }
                catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
                {
                    // Nothing can keep it now: it is in this process's memory only.
                    LogLostAtShutdown(logger, operationId, attempts, failure.GetType().Name, failure.Message);
                    return false;
                }

                attempts++;
                var next = await TryAddAsync(operationId, result);
                if (next is null)
                {
                    stored = true;
                    LogStoredAfterRetries(logger, operationId, attempts);
                    return true;
                }

                failure = next;
                health.StillWaiting(ReasonOf(failure));
                LogStillFailing(logger, operationId, attempts, failure.GetType().Name, failure.Message);
            }
        }
        finally
        {
            if (health.StopWaiting())
            {
                if (stored)
                {
                    LogRecovered(logger);
                }

                // The poller skipped its turns while results waited; it may fetch again.
                workSignal.Signal();
            }
        }
    }

    private async Task<Exception?> TryAddAsync(string operationId, OperationResult result)
    {
        // A store that does not return within its bound is a stuck volume: /livez fails (the
        // step) and health and /readyz say so (the store), docs/adr/0043.
        using var store = health.Storing();
        using var step = progress?.Working(AgentLoops.Storage, AgentLoops.StoreBound);
        try
        {
            // Not cancellable: a write cut half-way would only leave a temporary file behind.
            await outbox.AddAsync(operationId, result, CancellationToken.None);
            return null;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            return ex;
        }
    }

    /// <summary>What the disk or the file system can do to a write; anything else is about the result.</summary>
    private static bool IsStorageFault(Exception exception) => exception is IOException or UnauthorizedAccessException;

    /// <summary>For health and <c>/readyz</c>: what failed, never where (the message, with its paths, is logged above).</summary>
    private static string ReasonOf(Exception exception) => $"results cannot be stored ({StorageFaultReason.Of(exception)})";

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage degraded: {Reason}; intake paused until every waiting result is stored")]
    private static partial void LogDegraded(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The result of operation {OperationId} could not be stored ({ErrorType}: {Error}); keeping it in memory and retrying")]
    private static partial void LogWaiting(ILogger logger, string operationId, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storing the result of operation {OperationId} failed again, attempt {Attempts} ({ErrorType}: {Error})")]
    private static partial void LogStillFailing(ILogger logger, string operationId, int attempts, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The result of operation {OperationId} was stored after {Attempts} attempts")]
    private static partial void LogStoredAfterRetries(ILogger logger, string operationId, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage recovered: no result waits to be stored; intake resumes")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The result of operation {OperationId} cannot be written ({ErrorType}: {Error}); storing an error result in its place")]
    private static partial void LogUnwritable(ILogger logger, string operationId, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The result of operation {OperationId} is lost: not even an error result could be written ({ErrorType}: {Error})")]
    private static partial void LogLost(ILogger logger, string operationId, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The result of operation {OperationId} is lost: shutdown came while it still could not be stored after {Attempts} attempts ({ErrorType}: {Error})")]
    private static partial void LogLostAtShutdown(ILogger logger, string operationId, int attempts, string errorType, string error);
}
