using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using EgressAgent.Application.Pipeline;
using EgressAgent.Application.Ports;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Capacity;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace EgressAgent.Application.Tests.Pipeline;

public sealed class ResultPublisherTests : IAsyncDisposable
{
    private static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(10);

    private readonly TrackingTimeProvider _time = new();
    private readonly InMemoryOutbox _outbox;
    private readonly Mock<IOrchestratorApi> _orchestrator = new(MockBehavior.Strict);
    private readonly ConcurrentQueue<PublishOutcome> _answers = new();
    private readonly ConcurrentQueue<(string OperationId, IResultBody Body)> _published = new();
    private readonly InFlightCounter _inFlight = new(2);
    private readonly WorkQueue _queue;
    private readonly PipelineTokens _tokens = new();
    private readonly AgentCounters _counters = new();
    private readonly ResultPublisher _publisher;
    private readonly CancellationTokenSource _stop = new();
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
                Interlocked.Increment(ref _attempts);
                return Task.FromResult(_answers.TryDequeue(out var answer) ? answer : PublishOutcome.Delivered(200, null));
            });
        _publisher = new ResultPublisher(
            _outbox,
            _orchestrator.Object,
            new AssignedWorkIntake(_queue, _tokens, NullLogger<AssignedWorkIntake>.Instance),
            _tokens,
            _counters,
            TestOptions.Create(o => o.Results.TimeToLive = TimeToLive),
            _time,
            NullLogger<ResultPublisher>.Instance);
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
    public async Task A_retryable_answer_is_retried_until_delivered_then_removed_once()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddResultAsync("op-1");

        Start();
        await Eventually.UntilAsync(() => Attempts == 1, "the first attempt is made");
        var backoff = await WaitForRetryTimerOrAttemptAsync(2);
        if (backoff > TimeSpan.Zero)
        {
            // The first retry is drawn under a 1 s ceiling; nothing is removed while it waits.
            Assert.InRange(backoff, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1));
            Assert.Equal(0, _outbox.Removals);
            _time.Advance(backoff);
        }

        await Eventually.UntilAsync(() => _outbox.Removals == 1, "the result is removed");

        Assert.Equal(2, Attempts);
        Assert.Equal(1, _outbox.RemovalsOf("op-1"));
        Assert.Equal(1, _counters.ResultsDelivered);
        Assert.Equal(0, _counters.ResultsDropped);
    }

    [Fact]
    public async Task Each_attempt_sends_the_stored_result_of_its_operation()
    {
        _answers.Enqueue(new PublishOutcome(PublishStatus.Retryable, 503));
        await AddResultAsync("op-1");

        Start();
        _time.Advance(await WaitForRetryTimerOrAttemptAsync(2));
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
        _orchestrator
            .SetupSequence(o => o.PublishResultAsync(It.IsAny<string>(), It.IsAny<IResultBody>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("connection reset"))
            .ReturnsAsync(PublishOutcome.Delivered(200, null));
        await AddResultAsync("op-1");

        Start();
        _time.Advance(await WaitForRetryTimerOrAttemptAsync(2));
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
        var delay = await _time.WaitForPendingTimerAsync();

        // The first backoff ceiling is 1 s; a zero Retry-After must not mean "retry at once, forever".
        Assert.InRange(delay, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1));
        Assert.Equal(1, Attempts);
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
        ["__mcd_result__"] = operationId,
        ["__mcd_trace_id__"] = operationId,
    };

    /// <summary>
    /// The backoff draw is random in [0, 1 s]: returns the delay of the retry timer, or zero when
    /// a draw of exactly zero retried without one.
    /// </summary>
    private async Task<TimeSpan> WaitForRetryTimerOrAttemptAsync(int attempt)
    {
        await Eventually.UntilAsync(() => _time.HasPendingTimer || Attempts >= attempt, "the retry is scheduled");
        return _time.HasPendingTimer ? _time.DueTimes[^1] : TimeSpan.Zero;
    }
}
