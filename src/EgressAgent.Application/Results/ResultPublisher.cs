using System.Globalization;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.ResultStorage;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Timing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Results;

/// <summary>
/// Delivers what the outbox holds with E2 (docs/protocol.md §6.4, §10; docs/adr/0016). One scheduler loop
/// walks the results oldest first and gives each one that is due a turn: one attempt, holding one
/// of <see cref="MaxConcurrentDeliveries"/> slots only while it runs. A result that failed waits
/// out its backoff in memory (<see cref="PendingDelivery.NotBefore"/>) holding no slot, so results
/// that keep failing never delay the others. A result leaves the outbox only after a 2xx, a final
/// 4xx, its 413 replacement being stored, or expiry. Every due time and expiry is on the monotonic
/// clock (<see cref="Now"/>): a wall-clock step neither expires a result nor moves a retry
/// (docs/protocol.md §10 "Time", docs/adr/0042).
/// </summary>
internal sealed partial class ResultPublisher(
    IResultOutbox outbox,
    IOrchestratorApi orchestrator,
    AssignedWorkIntake intake,
    PipelineTokens tokens,
    AgentCounters counters,
    IOptions<ResultsOptions> results,
    IOptions<EndpointTimeoutOptions> timeouts,
    TimeProvider timeProvider,
    ILogger<ResultPublisher> logger,
    ILoopProgress? progress = null, // optional: rigs that do not watch liveness leave it out
    BacklogGate? backlog = null, // optional: rigs without a poller
    OutgoingResults? outgoing = null) // optional: rigs whose results go out as they are stored
    : IAgentLoop
{
    internal const int MaxConcurrentDeliveries = 8;
    private static readonly TimeSpan FirstRetryCeiling = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryCeiling = TimeSpan.FromSeconds(60);

    /// <summary>A server's Retry-After is honoured up to this; beyond it a typo would park a result for days.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>How soon to look again when the outbox could not even be listed.</summary>
    private static readonly TimeSpan RelistDelay = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _timeToLive = results.Value.TimeToLive;

    /// <summary>The monotonic timestamp every due time of this class counts from (see <see cref="Now"/>).</summary>
    private readonly long _origin = timeProvider.GetTimestamp();
    private readonly TimeSpan _publishBound = AgentLoops.PublishBound(timeouts.Value);
    private readonly LevelTriggeredSignal _wake = new();
    private readonly LevelTriggeredSignal _removed = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentDeliveries);
    private readonly BacklogGate _backlog = backlog ?? new BacklogGate();

    // The scheduler's memory, guarded by _gate: every result it knows by key, and the same in the
    // outbox's order (oldest first) as last listed.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PendingDelivery> _byKey = new(StringComparer.Ordinal);
    private List<PendingDelivery> _oldestFirst = [];
    private int _relist = 1;

    /// <summary>The uniform draw in [0, 1] behind the backoff's jitter; tests pin it.</summary>
    internal Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    /// <summary>Slots no request holds (for tests).</summary>
    internal int FreeSlots => _slots.CurrentCount;

    /// <summary>
    /// Completes once results left by an earlier process are on their way (they go first): all of
    /// them, or as many as can be delivered at once.
    /// </summary>
    public Task BacklogDispatched => _backlog.Dispatched;

    public string Name => AgentLoops.Publisher;

    /// <summary>A new result is in the outbox.</summary>
    public void Notify()
    {
        Volatile.Write(ref _relist, 1);
        _wake.Set();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tokens.Publishing);
        var stop = linked.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                TimeSpan? nextDue = null;
                if (Interlocked.Exchange(ref _relist, 0) == 1 && !TryRelist())
                {
                    nextDue = Now + RelistDelay;
                }

                nextDue = Earliest(nextDue, await DispatchDueAsync(stop));
                _backlog.Open();
                await WaitAsync(nextDue, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // What was not delivered stays on disk for the next start.
        }
        finally
        {
            _backlog.Open();
        }
    }

    /// <summary>Until something changes (a new result, a finished turn) or <paramref name="due"/> comes.</summary>
    private async Task WaitAsync(TimeSpan? due, CancellationToken stop)
    {
        if (due is null)
        {
            await _wake.WaitAsync(stop);
            return;
        }

        // Whole milliseconds, rounded up: timers count in milliseconds, and a wait cut down to 0 ms
        // would end at once, before the result is due, over and over.
        var wait = due.Value - Now;
        if (wait > TimeSpan.Zero)
        {
            await _wake.WaitAsync(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), timeProvider, stop);
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

    /// <summary>
    /// Reads the outbox's list of results into the scheduler's memory. Between listings the memory
    /// is complete: results arrive through <see cref="Notify"/> and leave through this class.
    /// </summary>
    private bool TryRelist()
    {
        IReadOnlyList<OutboxEntry> entries;
        try
        {
            entries = outbox.ListPending();
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            LogListingFailed(logger, ex.GetType().Name, ex.Message, RelistDelay);
            Volatile.Write(ref _relist, 1);
            return false;
        }

        lock (_gate)
        {
            var listed = new List<PendingDelivery>(entries.Count);
            foreach (var entry in entries)
            {
                if (!_byKey.TryGetValue(entry.Key, out var delivery))
                {
                    delivery = new PendingDelivery(entry, new FullJitterBackoff(FirstRetryCeiling, MaxRetryCeiling));
                    _byKey.Add(entry.Key, delivery);
                }

                listed.Add(delivery);
            }

            // Gone from the store without this class (quarantined, say): nothing left to deliver.
            var keys = listed.Select(d => d.Entry.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var vanished in _byKey.Values.Where(d => !d.InFlight && !keys.Contains(d.Entry.Key)).ToList())
            {
                _byKey.Remove(vanished.Entry.Key);
            }

            _oldestFirst = listed;
        }

        return true;
    }

    /// <summary>Gives every result that is due a turn, oldest first; returns when the next waiting one is due.</summary>
    private async Task<TimeSpan?> DispatchDueAsync(CancellationToken stop)
    {
        TimeSpan? nextDue = null;
        foreach (var candidate in Snapshot())
        {
            if (!TryTakeTurn(candidate, out var waitingUntil))
            {
                nextDue = Earliest(nextDue, waitingUntil);
                continue;
            }

            if (_slots.CurrentCount == 0)
            {
                // The oldest results are on their way; the poller need not wait for a long backlog.
                _backlog.Open();
            }

            await _slots.WaitAsync(stop);
            _ = TakeTurnAsync(candidate, stop);
        }

        return nextDue;
    }

    /// <summary>The results to look at, oldest first; those removed since are forgotten here.</summary>
    private PendingDelivery[] Snapshot()
    {
        lock (_gate)
        {
            // A removed result's key is kept until its turn is over and it has been skipped once,
            // so a listing taken just before the removal cannot bring it back.
            foreach (var removed in _oldestFirst.Where(d => d.Gone && !d.InFlight))
            {
                _byKey.Remove(removed.Entry.Key);
            }

            _oldestFirst.RemoveAll(d => d.Gone && !d.InFlight);
            return [.. _oldestFirst];
        }
    }

    /// <summary>Claims <paramref name="delivery"/> for a turn if it is due and free; else says until when it waits, if it does.</summary>
    private bool TryTakeTurn(PendingDelivery delivery, out TimeSpan? waitingUntil)
    {
        waitingUntil = null;
        lock (_gate)
        {
            if (delivery.InFlight || delivery.Gone)
            {
                return false;
            }

            if (delivery.NotBefore > Now)
            {
                waitingUntil = delivery.NotBefore;
                return false;
            }

            delivery.InFlight = true;
            return true;
        }
    }

    private async Task TakeTurnAsync(PendingDelivery delivery, CancellationToken stop)
    {
        try
        {
            await TakeTurnCoreAsync(delivery, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // What was not delivered stays on disk for the next start.
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // docs/protocol.md §10: one result's fault (a store that throws, a removal that fails, …)
            // is logged and retried later; the others go on.
            var delay = ScheduleRetry(delivery, retryAfter: null);
            LogTurnFailed(logger, delivery.Entry.Key, ex.GetType().Name, ex.Message, delay);
        }
        finally
        {
            lock (_gate)
            {
                delivery.InFlight = false;
            }

            _slots.Release();

            // After InFlight is cleared: the scheduler must see this result again to time its retry.
            _wake.Set();
        }
    }

    /// <summary>One turn: one E2 attempt, or the step an earlier turn could not finish.</summary>
    private async Task TakeTurnCoreAsync(PendingDelivery delivery, CancellationToken stop)
    {
        if (delivery.SettledAsDelivered is { } delivered)
        {
            // Decided at an earlier turn whose removal failed: sending it again would deliver it twice.
            Settle(delivery, delivered);
            return;
        }

        var stored = await outbox.LoadAsync(delivery.Entry, stop);
        delivery.OperationId ??= stored?.OperationId;
        if (stored is null)
        {
            LogUnreadable(logger, delivery.Entry.Key);
            Settle(delivery, delivered: false);
            return;
        }

        if (Now >= ExpiryOf(delivery))
        {
            LogExpired(logger, stored.OperationId, _timeToLive);
            Settle(delivery, delivered: false);
            return;
        }

        if (delivery.RefusedBytes is { } refusedEarlier)
        {
            // Storing the replacement failed at an earlier turn; the 413 still stands.
            await ReplaceAsync(delivery, stored, refusedEarlier, stop);
            return;
        }

        if (await PrepareAsync(delivery, stored, stop) is not { } body)
        {
            return;
        }

        delivery.Attempts++;
        var outcome = await AttemptAsync(stored.OperationId, body, stop);
        switch (outcome.Status)
        {
            case PublishStatus.Delivered:
                // From here on it is never sent again, whatever fails below.
                delivery.SettledAsDelivered = true;
                LogDelivered(logger, stored.OperationId, delivery.Attempts);
                if (outcome.NextOperation is { } next)
                {
                    // Before the removal: it is assigned to this instance whether or not the removal works.
                    intake.AcceptAssigned(next, "next_operation");
                }

                Settle(delivery, delivered: true);
                break;
            case PublishStatus.Rejected:
                LogRejected(logger, stored.OperationId, outcome.StatusCode, outcome.Error);
                Settle(delivery, delivered: false);
                break;
            case PublishStatus.TooLarge:
                delivery.RefusedBytes = outcome.RefusedBytes ?? stored.Body.Length;
                await ReplaceAsync(delivery, stored, delivery.RefusedBytes.Value, stop);
                break;
            default:
                var delay = ScheduleRetry(delivery, outcome.RetryAfter);
                LogRetrying(logger, stored.OperationId, outcome.StatusCode, outcome.Error, delay);
                break;
        }
    }

    /// <summary>
    /// What E2 sends for <paramref name="stored"/> (docs/protocol.md §13): its location once its upload
    /// is complete (remembered, so a retried E2 does not upload again), or null when the upload
    /// failed and waits out its backoff, holding no slot, like a failed E2.
    /// </summary>
    private async Task<IResultBody?> PrepareAsync(PendingDelivery delivery, StoredResult stored, CancellationToken stop)
    {
        if (delivery.Location is { } location)
        {
            return location;
        }

        if (outgoing is null)
        {
            return stored.Body;
        }

        try
        {
            var prepared = await outgoing.PrepareAsync(stored, stop);
            if (prepared.Uploaded)
            {
                delivery.Location = prepared.Body;
                counters.UploadCompleted();
            }

            return prepared.Body;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // The store is down, answers 5xx, times out, or the outbox could not be read: the result
            // stays stored and the whole upload is tried again (docs/adr/0049).
            var delay = ScheduleRetry(delivery, retryAfter: null);
            counters.UploadFailed();
            LogUploadFailed(logger, stored.OperationId, ex.GetType().Name, ex.Message, delay);
            return null;
        }
    }

    private async Task<PublishOutcome> AttemptAsync(string operationId, IResultBody body, CancellationToken stop)
    {
        using var step = progress?.Working(AgentLoops.Publisher, _publishBound);
        try
        {
            var outcome = await orchestrator.PublishResultAsync(operationId, body, stop);
            counters.ResultAttempt(outcome.StatusCode);
            return outcome;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            // Transport errors and timeouts are retryable by contract.
            counters.ResultAttempt(null);
            return new PublishOutcome(PublishStatus.Retryable, null, Error: ex.GetType().Name);
        }
    }

    /// <summary>
    /// docs/protocol.md §10: a 413 is final for that body, so a failure the orchestrator can record goes in
    /// its place, with the original trace id. The replacement is stored before the original is
    /// removed: a crash in between leaves both, and the next process gets a 413 again and stores a
    /// replacement with the same bytes, so the orchestrator may get that failure twice but never
    /// not at all (docs/adr/0017).
    /// </summary>
    private async Task ReplaceAsync(PendingDelivery delivery, StoredResult stored, long refusedBytes, CancellationToken stop)
    {
        var tail = await ResultTail.ReadAsync(stored.Body, stop);
        var replacement = OperationResult.Failure(
            string.Create(CultureInfo.InvariantCulture, $"Result too large for the orchestrator: {refusedBytes} bytes"),
            ErrorKinds.ResultTooLarge,
            tail.TraceId ?? stored.OperationId);

        // A refused ResultTooLarge failure is already the least the agent can say: replacing it
        // would loop. So that every replacement is recognised as one when refused in turn, none is
        // larger than what ResultTail reads whole (only a trace id of tens of KiB could make it so).
        if (tail.ErrorKind == ErrorKinds.ResultTooLarge || new JsonResultBody(replacement.ToJson()).Length > ResultTail.Capacity)
        {
            LogReplacementRefused(logger, stored.OperationId, refusedBytes);
            Settle(delivery, delivered: false);
            return;
        }

        await outbox.AddAsync(stored.OperationId, replacement, stop);
        LogReplaced(logger, stored.OperationId, refusedBytes);
        Notify();
        Settle(delivery, delivered: false);
    }

    /// <summary>Sets when the next turn may start; returns the delay.</summary>
    private TimeSpan ScheduleRetry(PendingDelivery delivery, TimeSpan? retryAfter)
    {
        // Retry-After is a floor, not a replacement: "Retry-After: 0" on every answer must not
        // turn into a retry loop without pause.
        var jittered = delivery.Backoff.NextDelay(Random);
        var delay = retryAfter is { } floor && floor > jittered
            ? (floor < MaxRetryAfter ? floor : MaxRetryAfter)
            : jittered;

        // Never past expiry: the turn at expiry drops the result without another attempt.
        var now = Now;
        var untilExpiry = ExpiryOf(delivery) - now;
        delay = delay < untilExpiry ? delay : (untilExpiry > TimeSpan.Zero ? untilExpiry : TimeSpan.Zero);
        lock (_gate)
        {
            delivery.NotBefore = now + delay;
        }

        return delay;
    }

    /// <summary>Removes a result whose fate is decided; a failed removal leaves it marked, to be retried.</summary>
    private void Settle(PendingDelivery delivery, bool delivered)
    {
        delivery.SettledAsDelivered = delivered;
        outbox.Remove(delivery.Entry);
        if (delivery.OperationId is { } operationId)
        {
            outgoing?.Forget(operationId);
        }

        lock (_gate)
        {
            delivery.Gone = true;
        }

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

    /// <summary>Monotonic time since <see cref="_origin"/>: the axis of every due time here.</summary>
    private TimeSpan Now => timeProvider.GetElapsedTime(_origin);

    /// <summary>
    /// When <paramref name="delivery"/> expires, on <see cref="Now"/>'s axis: its time to live less its
    /// age when this process created or loaded it (never less than zero, never more than the TTL),
    /// counted from that moment on the monotonic clock. Its stored wall-clock time plays no part.
    /// </summary>
    private TimeSpan ExpiryOf(PendingDelivery delivery)
    {
        var entry = delivery.Entry;
        var remaining = entry.AgeWhenKnown < _timeToLive ? _timeToLive - entry.AgeWhenKnown : TimeSpan.Zero;
        return timeProvider.GetElapsedTime(_origin, entry.KnownSince) + remaining;
    }

    private static TimeSpan? Earliest(TimeSpan? a, TimeSpan? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Result of {OperationId} delivered after {Attempts} attempt(s)")]
    private static partial void LogDelivered(ILogger logger, string operationId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Result of {OperationId} not delivered (status {StatusCode}, {Error}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string operationId, int? statusCode, string? error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Result of {OperationId} could not be uploaded to object storage ({ErrorType}: {Error}); retrying in {Delay}")]
    private static partial void LogUploadFailed(ILogger logger, string operationId, string errorType, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Result of {OperationId} was rejected with status {StatusCode} ({Error}); dropping it")]
    private static partial void LogRejected(ILogger logger, string operationId, int? statusCode, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Result of {OperationId} expired after {TimeToLive} undelivered; dropping it")]
    private static partial void LogExpired(ILogger logger, string operationId, TimeSpan timeToLive);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored result {Key} is unreadable; the outbox set it aside (see its quarantine log line)")]
    private static partial void LogUnreadable(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Result of {OperationId} was refused as too large (413, {RefusedBytes} bytes); a ResultTooLarge failure is published in its place")]
    private static partial void LogReplaced(ILogger logger, string operationId, long refusedBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Result of {OperationId} was refused as too large (413, {RefusedBytes} bytes) and is itself a ResultTooLarge failure (or cannot be replaced by a small one); dropping it")]
    private static partial void LogReplacementRefused(ILogger logger, string operationId, long refusedBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering stored result {Key} failed unexpectedly ({ErrorType}: {Error}); it stays in the outbox, next turn in {Delay}")]
    private static partial void LogTurnFailed(ILogger logger, string key, string errorType, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "The outbox could not be listed ({ErrorType}: {Error}); looking again in {Delay}")]
    private static partial void LogListingFailed(ILogger logger, string errorType, string error, TimeSpan delay);
}
