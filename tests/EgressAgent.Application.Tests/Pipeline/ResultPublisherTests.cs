using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Capacity;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;
using Moq;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>
/// E2 delivery (docs/protocol.md §3, §6.4, §10). The backoff's jitter is pinned at half the ceiling, so
/// every retry's delay is known: 0.5 s, then 1 s, 2 s, … (or the Retry-After floor).
/// </summary>
public sealed class ResultPublisherTests : IAsyncDisposable
{
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SecondRetry = TimeSpan.FromSeconds(1);

    private readonly TrackingTimeProvider _time = new();
    private readonly InMemoryOutbox _outbox;
    private readonly Mock<IOrchestratorApi> _orchestrator = new(MockBehavior.Strict);
    private readonly ConcurrentQueue<PublishOutcome> _answers = new();
    private readonly ConcurrentQueue<(string OperationId, IResultBody Body)> _published = new();
    private readonly ConcurrentDictionary<string, int> _attemptsOf = new(StringComparer.Ordinal);
    private readonly InFlightCounter _inFlight = new(2);
    private readonly WorkQueue _queue;
    private readonly PipelineTokens _tokens = new();
    private readonly AgentCounters _counters = new();
    private readonly RecordingLogger<ResultPublisher> _log = new();
    private readonly CancellationTokenSource _stop = new();
    private ResultPublisher _publisher;
    private Func<string, Task<PublishOutcome>>? _respond;
    private Task? _run;
    private int _attempts;

    public ResultPublisherTests()
    {
        _outbox = new InMemoryOutbox(_time);
        _queue = new WorkQueue(_inFlight);
        _orchestrator
            .Setup(o => o.PublishResultAsync(It.IsAny<string>(), It.IsAny<IResultBody>(), It.IsAny<CancellationToken>()))
            .Returns<string, IResultBody, CancellationToken>((operationId, body, _) =>
            {
                _published.Enqueue((operationId, body));
                _attemptsOf.AddOrUpdate(operationId, 1, (_, n) => n + 1);
                Interlocked.Increment(ref _attempts);
                return _respond?.Invoke(operationId)
                    ?? Task.FromResult(_answers.TryDequeue(out var answer) ? answer : PublishOutcome.Delivered(200, null));
            });
        _publisher = CreatePublisher(TimeToLive);
    }

    private int Attempts => Volatile.Read(ref _attempts);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.CompletesAsync();
        }

        _stop.Dispose();
        _tokens.Dispose();
    }

    [Fact]
    public async Task A_retryable_answer_is_retried_after_its_backoff_until_delivered_then_removed_once()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddResultAsync("op-1");

        Start();

        // The first retry is drawn under a 1 s ceiling; nothing is removed while it waits.
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());
        Assert.Equal(1, Attempts);
        Assert.Equal(0, _outbox.Removals);
        _time.Advance(FirstRetry - TimeSpan.FromTicks(1));
        Assert.Equal(1, Attempts);
        _time.Advance(TimeSpan.FromTicks(1));
        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is removed");

        Assert.Equal(2, Attempts);
        Assert.Equal(1, _outbox.RemovalsOf("op-1"));
        Assert.Equal(1, _counters.ResultsDelivered);
        Assert.Equal(0, _counters.ResultsDropped);
        Assert.True(_log.Logged(LogLevel.Debug, "Result of op-1 delivered after 2 attempt(s)"));
    }

    [Fact]
    public async Task The_backoff_doubles_with_each_failure_of_the_same_result()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddResultAsync("op-1");

        Start();
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());
        var timers = _time.TimersCreated;
        _time.Advance(FirstRetry);

        Assert.Equal(SecondRetry, await _time.WaitForPendingTimerAsync(createdAfter: timers));
        Assert.Equal(2, Attempts);
        _time.Advance(SecondRetry);
        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is delivered on the third attempt");
        Assert.Equal(3, Attempts);
    }

    [Fact]
    public async Task Each_attempt_sends_the_stored_result_of_its_operation()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddResultAsync("op-1");

        Start();
        _time.Advance(await _time.WaitForPendingTimerAsync());
        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is delivered on the retry");

        Assert.Equal(2, _published.Count);
        foreach (var (operationId, body) in _published)
        {
            Assert.Equal("op-1", operationId);
            Assert.True(JsonNode.DeepEquals(Result("op-1"), await ReadAsync(body)));
        }
    }

    [Fact]
    public async Task A_transport_error_is_retried_like_a_retryable_answer()
    {
        var calls = 0;
        _respond = _ => Interlocked.Increment(ref calls) == 1
            ? Task.FromException<PublishOutcome>(new HttpRequestException("connection reset"))
            : Task.FromResult(PublishOutcome.Delivered(200, null));
        await AddResultAsync("op-1");

        Start();
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());
        _time.Advance(FirstRetry);
        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is delivered on the retry");

        _orchestrator.Verify(o => o.PublishResultAsync("op-1", It.IsAny<IResultBody>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task A_rejected_result_is_removed_after_one_attempt()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Rejected, 400, Error: "bad result"));
        await AddResultAsync("op-1");

        Start();
        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the rejected result is removed");

        Assert.Equal(1, Attempts);
        Assert.Equal(1, _counters.ResultsDropped);
        Assert.Equal(0, _time.TimersCreated);
        Assert.True(_log.Logged(LogLevel.Error, "Result of op-1 was rejected with status 400"));
    }

    [Fact]
    public async Task A_backoff_that_is_not_whole_milliseconds_is_waited_out_rounded_up_and_then_retried()
    {
        // 0.1234567 of the first 1 s ceiling: 123.4567 ms. A wait cut down to 123 ms would end
        // before the result is due, and the 0.4567 ms left would round to a wait of nothing.
        _publisher = CreatePublisher(TimeToLive, jitter: 0.1234567);
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddResultAsync("op-1");

        Start();
        Assert.Equal(TimeSpan.FromMilliseconds(124), await _time.WaitForPendingTimerAsync());
        _time.Advance(TimeSpan.FromMilliseconds(124));

        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is delivered on the retry");
        Assert.Equal(2, Attempts);
    }

    [Fact]
    public async Task RetryAfter_decides_the_delay_before_the_next_attempt()
    {
        var retryAfter = TimeSpan.FromSeconds(7);
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 429, RetryAfter: retryAfter));
        await AddResultAsync("op-1");

        Start();
        var delay = await _time.WaitForPendingTimerAsync();
        Assert.Equal(retryAfter, delay);

        _time.Advance(retryAfter - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Attempts);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is delivered after Retry-After");
        Assert.Equal(2, Attempts);
    }

    [Fact]
    public async Task RetryAfter_zero_still_waits_the_jittered_backoff()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503, RetryAfter: TimeSpan.Zero));
        await AddResultAsync("op-1");

        Start();

        // A zero Retry-After must not mean "retry at once, forever".
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());
        Assert.Equal(1, Attempts);
    }

    [Fact]
    public async Task RetryAfter_longer_than_an_hour_is_honoured_for_an_hour()
    {
        _publisher = CreatePublisher(TimeSpan.FromDays(1));
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503, RetryAfter: TimeSpan.FromDays(3)));
        await AddResultAsync("op-1");

        Start();

        Assert.Equal(TimeSpan.FromHours(1), await _time.WaitForPendingTimerAsync());
    }

    [Fact]
    public async Task A_result_that_outlives_its_time_to_live_is_dropped_without_another_attempt()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503, RetryAfter: TimeToLive * 2));
        await AddResultAsync("op-1");

        Start();
        var delay = await _time.WaitForPendingTimerAsync();
        Assert.Equal(TimeToLive, delay);
        _time.Advance(delay);

        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the expired result is removed");
        Assert.Equal(1, Attempts);
        Assert.Equal(1, _counters.ResultsDropped);
        Assert.Equal(0, _counters.ResultsDelivered);
        Assert.True(_log.Logged(LogLevel.Error, "Result of op-1 expired"));
    }

    [Fact]
    public async Task A_result_already_expired_at_start_is_dropped_without_any_attempt()
    {
        _outbox.Add("op-old", Result("op-old"), _time.GetUtcNow() - TimeToLive);

        Start();
        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the expired result is removed");

        Assert.Equal(0, Attempts);
        Assert.Equal(1, _counters.ResultsDropped);
    }

    [Fact]
    public async Task A_wall_clock_stepped_forward_a_day_expires_no_pending_result()
    {
        // docs/protocol.md §10 "Time": measured on the wall clock, this step dropped every pending result.
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddResultAsync("op-1");
        Start();
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());

        _time.StepWallClock(TimeSpan.FromDays(1));
        _time.Advance(FirstRetry);

        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is delivered on its retry");
        Assert.Equal(2, Attempts);
        Assert.Equal(1, _counters.ResultsDelivered);
        Assert.Equal(0, _counters.ResultsDropped);
        Assert.False(_log.Logged(LogLevel.Error, "expired"));
    }

    [Fact]
    public async Task A_wall_clock_stepped_back_a_day_keeps_no_result_past_its_time_to_live()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503, RetryAfter: TimeToLive * 2));
        await AddResultAsync("op-1");
        Start();
        Assert.Equal(TimeToLive, await _time.WaitForPendingTimerAsync());

        _time.StepWallClock(-TimeSpan.FromDays(1));
        _time.Advance(TimeToLive);

        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the expired result is removed");
        Assert.Equal(1, Attempts);
        Assert.True(_log.Logged(LogLevel.Error, "Result of op-1 expired"));
    }

    [Theory]
    [InlineData(4 * 60, 6 * 60)] // stored 4 min ago: 6 of its 10 min left
    [InlineData(-24 * 60 * 60, 10 * 60)] // stored "in the future" (the clock was ahead then): age 0, the whole TTL
    public async Task A_result_loaded_with_stored_age_A_expires_after_TTL_less_A_of_monotonic_time(int ageSeconds, int leftSeconds)
    {
        // docs/protocol.md §10 "Time": the remaining TTL is fixed at load, then counts down on the
        // monotonic clock; the wall clock stepped meanwhile plays no part.
        var left = TimeSpan.FromSeconds(leftSeconds);
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503, RetryAfter: TimeToLive * 2));
        _outbox.Add("op-old", Result("op-old"), _time.GetUtcNow() - TimeSpan.FromSeconds(ageSeconds));
        _time.StepWallClock(TimeSpan.FromDays(1));

        Start();
        Assert.Equal(left, await _time.WaitForPendingTimerAsync());
        _time.StepWallClock(-TimeSpan.FromDays(2));
        _time.Advance(left - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _outbox.Removals);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the expired result is removed");
        Assert.Equal(1, AttemptsOf("op-old"));
        Assert.True(_log.Logged(LogLevel.Error, "Result of op-old expired"));
    }

    [Fact]
    public async Task Next_operation_from_a_delivery_is_queued_and_counted_in_flight()
    {
        _answers.Enqueue(PublishOutcome.Delivered(200, Envelopes.Fetched("op-next")));
        await AddResultAsync("op-1");

        Start();
        await Eventually.UntilAsync(() => _inFlight.InFlight == 1, "the next operation is admitted");

        Assert.True(_queue.Reader.TryRead(out var queued));
        Assert.Equal("op-next", queued.OperationId);
    }

    [Fact]
    public async Task Next_operation_is_accepted_even_when_the_agent_is_full()
    {
        // Already assigned to this instance: dropping it would lose it.
        _inFlight.TryReserve();
        _inFlight.TryReserve();
        _answers.Enqueue(PublishOutcome.Delivered(200, Envelopes.Fetched("op-next")));
        await AddResultAsync("op-1");

        Start();
        await Eventually.UntilAsync(() => _inFlight.InFlight == 3, "the next operation is admitted past capacity");

        Assert.True(_queue.Reader.TryRead(out var queued));
        Assert.Equal("op-next", queued.OperationId);
    }

    [Fact]
    public async Task A_result_added_while_running_is_delivered_after_Notify()
    {
        Start();
        await _publisher.BacklogDispatched.CompletesAsync();

        await AddResultAsync("op-late");
        _publisher.Notify();

        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-late") == 1, "the new result is delivered");
        _orchestrator.Verify(o => o.PublishResultAsync("op-late", It.IsAny<IResultBody>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task The_backlog_fills_every_delivery_slot_oldest_first_before_BacklogDispatched_completes()
    {
        var answer = new TaskCompletionSource<PublishOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _respond = _ => answer.Task;
        for (var i = 10; i < 20; i++)
        {
            _outbox.Add($"old-{i}", Result($"old-{i}"), _time.GetUtcNow() - TimeSpan.FromMinutes(1));
        }

        Start();
        await _publisher.BacklogDispatched.CompletesAsync();

        Assert.Equal(ResultPublisher.MaxConcurrentDeliveries, Attempts);
        Assert.Equal(0, _publisher.FreeSlots);
        Assert.Equal(Enumerable.Range(10, 8).Select(i => $"old-{i}"), _published.Select(p => p.OperationId).Order(StringComparer.Ordinal));

        answer.SetResult(PublishOutcome.Delivered(200, null));
        await Eventually.UntilAsync(() => _outbox.Removals == 10, "the whole backlog is delivered");
    }

    [Fact]
    public async Task Ten_results_that_keep_failing_do_not_delay_an_eleventh()
    {
        _respond = id => Task.FromResult(id.StartsWith("stuck-", StringComparison.Ordinal)
            ? new PublishOutcome(PublishStatus.Retryable, 503)
            : PublishOutcome.Delivered(200, null));
        var stuck = Enumerable.Range(1, 10).Select(i => $"stuck-{i}").ToList();
        foreach (var id in stuck)
        {
            await AddResultAsync(id);
        }

        Start();
        await Eventually.UntilAsync(() => stuck.All(id => AttemptsOf(id) == 1), "every failing result was tried once");
        await _time.WaitForPendingTimerAsync();

        await AddResultAsync("op-new");
        _publisher.Notify();

        // No time passes: the new result goes out while the ten wait out their backoff.
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-new") == 1, "the new result is delivered");
        Assert.All(stuck, id => Assert.Equal(1, AttemptsOf(id)));
        Assert.Equal(10, _outbox.PendingCount);
        Assert.Equal(ResultPublisher.MaxConcurrentDeliveries, _publisher.FreeSlots);

        // And they keep being retried.
        _time.Advance(FirstRetry);
        await Eventually.UntilAsync(() => stuck.All(id => AttemptsOf(id) == 2), "every failing result is tried again");
    }

    [Fact]
    public async Task A_result_waiting_out_its_backoff_holds_no_delivery_slot_while_one_in_flight_holds_one()
    {
        var answer = new TaskCompletionSource<PublishOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _respond = id => id == "op-waiting" ? Task.FromResult(new PublishOutcome(PublishStatus.Retryable, 503)) : answer.Task;
        await AddResultAsync("op-waiting");

        Start();
        await _time.WaitForPendingTimerAsync();
        Assert.Equal(ResultPublisher.MaxConcurrentDeliveries, _publisher.FreeSlots);

        await AddResultAsync("op-in-flight");
        _publisher.Notify();
        await Eventually.UntilAsync(() => AttemptsOf("op-in-flight") == 1, "the second result is sent");
        Assert.Equal(ResultPublisher.MaxConcurrentDeliveries - 1, _publisher.FreeSlots);

        answer.SetResult(PublishOutcome.Delivered(200, null));
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-in-flight") == 1, "the second result is delivered");
        // The slot is given back after the result leaves the outbox, on the delivery's own thread.
        await Eventually.UntilAsync(() => _publisher.FreeSlots == ResultPublisher.MaxConcurrentDeliveries, "the delivery's slot is free again");
    }

    [Fact]
    public async Task A_413_is_replaced_by_one_ResultTooLarge_failure_with_the_refused_size_and_the_original_trace_id()
    {
        // Larger than what is read of a result's end, with a decoy trace id inside the payload.
        var original = new JsonObject
        {
            [OperationResult.ResultKey] = new JsonObject { [OperationResult.TraceIdKey] = "decoy", ["blob"] = new string('x', 200_000) },
            [OperationResult.TraceIdKey] = "t-big",
        };
        await _outbox.AddAsync("op-1", original, CancellationToken.None);
        _answers.Enqueue(PublishOutcome.TooLarge(200_123));

        Start();
        await Eventually.UntilAsync(() => _outbox.Removals == 2, "the original and then its replacement leave the outbox");

        Assert.Equal(2, _outbox.AddsOf("op-1"));
        Assert.Equal(0, _outbox.PendingCount);
        var sent = _published.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal("op-1", sent[1].OperationId);
        var expected = new JsonObject
        {
            [OperationResult.ErrorKey] = "Result too large for the orchestrator: 200123 bytes",
            [OperationResult.ErrorTypeKey] = ErrorKinds.ResultTooLarge,
            [OperationResult.TraceIdKey] = "t-big",
        };
        Assert.True(JsonNode.DeepEquals(expected, await ReadAsync(sent[1].Body)), (await ReadAsync(sent[1].Body))!.ToJsonString());
        Assert.Equal(1, _counters.ResultsDelivered);
        Assert.Equal(1, _counters.ResultsDropped);
        Assert.True(_log.Logged(LogLevel.Warning, "Result of op-1 was refused as too large (413, 200123 bytes)"));
    }

    [Fact]
    public async Task A_refused_replacement_is_dropped_with_an_error_and_not_replaced_again()
    {
        _respond = _ => Task.FromResult(PublishOutcome.TooLarge(1_000));
        await AddResultAsync("op-1");

        Start();
        await Eventually.UntilAsync(() => _outbox.Removals == 2, "the original and its replacement are both removed");

        Assert.Equal(2, Attempts);
        Assert.Equal(2, _outbox.AddsOf("op-1"));
        Assert.Equal(0, _outbox.PendingCount);
        Assert.Equal(0, _counters.ResultsDelivered);
        Assert.True(_log.Logged(LogLevel.Error, "is itself a ResultTooLarge failure"));
    }

    [Fact]
    public async Task A_replacement_that_cannot_be_stored_keeps_the_original_and_is_stored_later_without_sending_the_original_again()
    {
        await AddResultAsync("op-1");
        var failures = 1;
        _outbox.OnAdd = _ =>
        {
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                throw new IOException("No space left on device");
            }
        };
        _answers.Enqueue(PublishOutcome.TooLarge(5_000));

        Start();
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());
        Assert.Single(_outbox.PendingOf("op-1"));
        Assert.Equal(1, _outbox.AddsOf("op-1"));

        _time.Advance(FirstRetry);
        await Eventually.UntilAsync(() => _outbox.Removals == 2, "the replacement is stored, the original removed, the replacement delivered");

        // One E2 for the original (its 413 still stands), one for the replacement.
        Assert.Equal(2, Attempts);
        Assert.Equal(2, _outbox.AddsOf("op-1"));
        Assert.Equal(ErrorKinds.ResultTooLarge, (await ReadAsync(_published.Last().Body))![OperationResult.ErrorTypeKey]!.GetValue<string>());
    }

    [Fact]
    public async Task A_result_whose_load_throws_does_not_stop_the_others_and_is_retried_later()
    {
        await AddResultAsync("op-bad");
        await AddResultAsync("op-good");
        var broken = 1;
        _outbox.OnLoad = id =>
        {
            if (id == "op-bad" && Volatile.Read(ref broken) == 1)
            {
                throw new IOException("Input/output error");
            }
        };

        Start();
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-good") == 1, "the other result is delivered");
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());
        Assert.Equal(0, AttemptsOf("op-bad"));
        Assert.True(_log.Logged(LogLevel.Error, "IOException: Input/output error"));

        Volatile.Write(ref broken, 0);
        _time.Advance(FirstRetry);
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-bad") == 1, "the result is delivered once its store reads again");
    }

    [Fact]
    public async Task A_removal_that_throws_is_retried_without_sending_the_delivered_result_again()
    {
        await AddResultAsync("op-1");
        await AddResultAsync("op-2");
        var failures = 1;
        _outbox.OnRemove = id =>
        {
            if (id == "op-1" && Interlocked.Decrement(ref failures) >= 0)
            {
                throw new IOException("Read-only file system");
            }
        };

        Start();
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-2") == 1, "the other result is delivered and removed");
        Assert.Equal(FirstRetry, await _time.WaitForPendingTimerAsync());
        Assert.Single(_outbox.PendingOf("op-1"));

        _time.Advance(FirstRetry);
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-1") == 1, "the removal is retried");

        Assert.Equal(1, AttemptsOf("op-1"));
        Assert.Equal(2, _counters.ResultsDelivered);
    }

    [Fact]
    public async Task An_outbox_that_cannot_be_listed_is_listed_again_a_second_later()
    {
        await AddResultAsync("op-1");
        var failures = 1;
        _outbox.OnList = () =>
        {
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                throw new DirectoryNotFoundException("outbox gone");
            }
        };

        Start();
        Assert.Equal(TimeSpan.FromSeconds(1), await _time.WaitForPendingTimerAsync());
        Assert.Equal(0, Attempts);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.UntilAsync(() => _outbox.RemovalsOf("op-1") == 1, "the result is delivered once the outbox lists again");
    }

    private ResultPublisher CreatePublisher(TimeSpan timeToLive, double jitter = 0.5) => new(
        _outbox,
        _orchestrator.Object,
        new AssignedWorkIntake(_queue, _tokens, Microsoft.Extensions.Logging.Abstractions.NullLogger<AssignedWorkIntake>.Instance),
        _tokens,
        _counters,
        TestOptions.Create<ResultsOptions>(o => o.TimeToLive = timeToLive),
        TestOptions.Create<EndpointTimeoutOptions>(),
        _time,
        _log)
    {
        Random = () => jitter,
    };

    private int AttemptsOf(string operationId) => _attemptsOf.GetValueOrDefault(operationId);

    private void Start() => _run = Task.Run(() => _publisher.RunAsync(_stop.Token));

    private Task AddResultAsync(string operationId) => _outbox.AddAsync(operationId, Result(operationId), CancellationToken.None);

    /// <summary>The body read the way the adapter reads it, once per attempt.</summary>
    private static async Task<JsonNode?> ReadAsync(IResultBody body)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, CancellationToken.None);
        Assert.Equal(body.Length, buffer.Length);
        return JsonNode.Parse(buffer.ToArray());
    }

    private static JsonObject Result(string operationId) => new()
    {
        [OperationResult.ResultKey] = operationId,
        [OperationResult.TraceIdKey] = operationId,
    };
}
