using System.Collections.Concurrent;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Ports;
using EgressAgent.Application.Signals;
using EgressAgent.Domain.Timing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Pipeline;

/// <summary>
/// Delivers what the outbox holds with E2 (contract §6.4), several at once; order does not
/// matter, loss does. A result leaves the outbox only after a 2xx, a final 4xx, or expiry.
/// </summary>
internal sealed partial class ResultPublisher(
    IResultOutbox outbox,
    IOrchestratorApi orchestrator,
    AssignedWorkIntake intake,
    PipelineTokens tokens,
    AgentCounters counters,
    IOptions<AgentOptions> options,
    TimeProvider timeProvider,
    ILogger<ResultPublisher> logger)
{
    internal const int MaxConcurrentDeliveries = 8;
    private static readonly TimeSpan FirstRetryCeiling = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryCeiling = TimeSpan.FromSeconds(60);

    /// <summary>A server's Retry-After is honoured up to this; beyond it a typo would park a result for days.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    private readonly TimeSpan _timeToLive = options.Value.Results.TimeToLive;
    private readonly LevelTriggeredSignal _newResults = new();
    private readonly LevelTriggeredSignal _removed = new();
    private readonly ConcurrentDictionary<string, byte> _inProgress = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(MaxConcurrentDeliveries);
    private readonly TaskCompletionSource _backlogDispatched = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once results left by an earlier process are on their way (they go first): all of
    /// them, or as many as can be delivered at once.
    /// </summary>
    public Task BacklogDispatched => _backlogDispatched.Task;

    public void Notify() => _newResults.Set();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tokens.Publishing);
        var stop = linked.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await DispatchPendingAsync(stop);
                _backlogDispatched.TrySetResult();
                await _newResults.WaitAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // What was not delivered stays on disk for the next start.
        }
        finally
        {
            _backlogDispatched.TrySetResult();
        }
    }

    /// <summary>Completes when the outbox is empty: the flush step of shutdown waits on it.</summary>
    public async Task WhenOutboxEmptyAsync(CancellationToken cancellationToken)
    {
        while (outbox.PendingCount > 0)
        {
            await _removed.WaitAsync(cancellationToken);
        }
    }

    private async Task DispatchPendingAsync(CancellationToken stop)
    {
        foreach (var entry in outbox.ListPending())
        {
            if (!_inProgress.TryAdd(entry.Key, 0))
            {
                continue;
            }

            if (_slots.CurrentCount == 0)
            {
                // The oldest results are on their way; the poller need not wait for a long backlog.
                _backlogDispatched.TrySetResult();
            }

            await _slots.WaitAsync(stop);
            _ = DeliverAndReleaseAsync(entry, stop);
        }
    }

    private async Task DeliverAndReleaseAsync(OutboxEntry entry, CancellationToken stop)
    {
        try
        {
            await DeliverAsync(entry, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDeliveryCrashed(logger, entry.Key, ex.GetType().Name, ex.Message);
        }
        finally
        {
            _inProgress.TryRemove(entry.Key, out _);
            _slots.Release();
        }
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken stop)
    {
        var stored = await outbox.LoadAsync(entry, stop);
        if (stored is null)
        {
            LogUnreadable(logger, entry.Key);
            Remove(entry, delivered: false);
            return;
        }

        var backoff = new FullJitterBackoff(FirstRetryCeiling, MaxRetryCeiling);
        var expiresAt = entry.CreatedAt + _timeToLive;
        var attempts = 0; // not backoff.Failures: a Retry-After answer does not advance the backoff
        while (true)
        {
            if (timeProvider.GetUtcNow() >= expiresAt)
            {
                LogExpired(logger, stored.OperationId, _timeToLive);
                Remove(entry, delivered: false);
                return;
            }

            attempts++;
            var outcome = await AttemptAsync(stored, stop);
            switch (outcome.Status)
            {
                case PublishStatus.Delivered:
                    Remove(entry, delivered: true);
                    LogDelivered(logger, stored.OperationId, attempts);
                    if (outcome.NextOperation is { } next)
                    {
                        intake.AcceptAssigned(next, "next_operation");
                    }

                    return;
                case PublishStatus.Rejected:
                    LogRejected(logger, stored.OperationId, outcome.StatusCode, outcome.Error);
                    Remove(entry, delivered: false);
                    return;
                default:
                    // Retry-After is a floor, not a replacement: "Retry-After: 0" on every answer
                    // must not turn into a retry loop without pause.
                    var jittered = backoff.NextDelay(Random.Shared.NextDouble);
                    var delay = outcome.RetryAfter is { } retryAfter && retryAfter > jittered
                        ? (retryAfter < MaxRetryAfter ? retryAfter : MaxRetryAfter)
                        : jittered;
                    var untilExpiry = expiresAt - timeProvider.GetUtcNow();
                    delay = delay < untilExpiry ? delay : untilExpiry;
                    LogRetrying(logger, stored.OperationId, outcome.StatusCode, outcome.Error, delay);
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay, timeProvider, stop);
                    }

                    break;
            }
        }
    }

    private async Task<PublishOutcome> AttemptAsync(StoredResult stored, CancellationToken stop)
    {
        try
        {
            return await orchestrator.PublishResultAsync(stored.OperationId, stored.Body, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Transport errors and timeouts are retryable by contract.
            return new PublishOutcome(PublishStatus.Retryable, null, Error: ex.GetType().Name);
        }
    }

    private void Remove(OutboxEntry entry, bool delivered)
    {
        outbox.Remove(entry);
        if (delivered)
        {
            counters.ResultDelivered();
        }
        else
        {
            counters.ResultDropped();
        }

        _removed.Set();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Result of {OperationId} delivered after {Attempts} attempt(s)")]
    private static partial void LogDelivered(ILogger logger, string operationId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Result of {OperationId} not delivered (status {StatusCode}, {Error}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string operationId, int? statusCode, string? error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Result of {OperationId} was rejected with status {StatusCode} ({Error}); dropping it")]
    private static partial void LogRejected(ILogger logger, string operationId, int? statusCode, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Result of {OperationId} expired after {TimeToLive} undelivered; dropping it")]
    private static partial void LogExpired(ILogger logger, string operationId, TimeSpan timeToLive);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored result {Key} is unreadable; dropping it")]
    private static partial void LogUnreadable(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering stored result {Key} failed unexpectedly ({ErrorType}: {Error}); it stays in the outbox")]
    private static partial void LogDeliveryCrashed(ILogger logger, string key, string errorType, string error);
}
