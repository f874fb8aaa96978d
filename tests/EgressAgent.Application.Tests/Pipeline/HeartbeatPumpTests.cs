using System.Collections.Concurrent;
using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Capacity;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace EgressAgent.Application.Tests.Pipeline;

public sealed class HeartbeatPumpTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly TrackingTimeProvider _time = new();
    private readonly Mock<IOrchestratorApi> _orchestrator = new(MockBehavior.Strict);
    private readonly InFlightCounter _inFlight = new(2);
    private readonly RequestActivity _activity;
    private readonly AgentCounters _counters = new();
    private readonly StorageHealth _storage = new(TimeProvider.System);
    private readonly HeartbeatPump _pump;
    private readonly ConcurrentQueue<DateTimeOffset> _beats = new();
    private readonly ConcurrentQueue<long> _beatTimestamps = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly DateTimeOffset _start;
    private Task? _run;
    private int _failuresLeft;
    private Func<Exception> _failure = () => new HttpRequestException("503");

    public HeartbeatPumpTests()
    {
        _start = _time.GetUtcNow();
        _activity = new RequestActivity(_time);
        _orchestrator.Setup(o => o.HeartbeatAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(_ =>
        {
            // Like the HTTP pipeline: every request sent counts as activity, answered or not.
            _activity.Touch();
            _beats.Enqueue(_time.GetUtcNow());
            _beatTimestamps.Enqueue(_time.GetTimestamp());
            return Interlocked.Decrement(ref _failuresLeft) >= 0
                ? Task.FromException(_failure())
                : Task.CompletedTask;
        });
        _pump = new HeartbeatPump(
            _orchestrator.Object,
            _inFlight,
            _activity,
            _counters,
            TestOptions.Create<HeartbeatOptions>(o => o.Interval = Interval),
            TestOptions.Create<EndpointTimeoutOptions>(),
            _time,
            NullLogger<HeartbeatPump>.Instance,
            _storage);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.CompletesAsync();
        }

        _stop.Dispose();
    }

    [Fact]
    public async Task While_saturated_the_gap_between_requests_never_exceeds_the_interval()
    {
        Saturate();
        await StartAsync();

        await AdvanceInStepsAsync(Interval * 6);

        var times = _beats.Prepend(_start).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.True(_beats.Count >= 6, $"expected at least 6 heartbeats in 6 intervals, got {_beats.Count}");
        Assert.All(gaps, gap => Assert.InRange(gap, Interval / 2, Interval));
        Assert.InRange(_time.GetUtcNow() - times[^1], TimeSpan.Zero, Interval);
    }

    [Fact]
    public async Task A_wall_clock_stepped_back_an_hour_delays_no_heartbeat()
    {
        // docs/protocol.md §10 "Time": the gap is measured on the monotonic clock. Measured on the
        // wall clock, the step back made the last request look an hour in the future: no beat for an hour.
        Saturate();
        var started = _time.GetTimestamp();
        await StartAsync();
        await AdvanceInStepsAsync(Interval * 2);

        _time.StepWallClock(-TimeSpan.FromHours(1));
        await AdvanceInStepsAsync(Interval * 4);

        var times = _beatTimestamps.Prepend(started).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => _time.GetElapsedTime(a, b)).ToList();
        Assert.True(_beatTimestamps.Count >= 6, $"expected at least 6 heartbeats in 6 intervals, got {_beatTimestamps.Count}");
        Assert.All(gaps, gap => Assert.InRange(gap, Interval / 2, Interval));
        Assert.InRange(_time.GetElapsedTime(times[^1]), TimeSpan.Zero, Interval);
    }

    [Fact]
    public async Task Another_request_postpones_the_next_heartbeat()
    {
        Saturate();
        await StartAsync();

        await AdvanceInStepsAsync(TimeSpan.FromSeconds(3));
        _activity.Touch();
        await AdvanceInStepsAsync(Interval);

        var beat = Assert.Single(_beats);
        Assert.InRange(beat - _start, TimeSpan.FromSeconds(3) + (Interval / 2), TimeSpan.FromSeconds(3) + Interval);
    }

    [Fact]
    public async Task With_free_capacity_no_heartbeat_is_sent()
    {
        _inFlight.TryReserve();
        await StartAsync();

        await AdvanceInStepsAsync(Interval * 4);
        var timers = _time.TimersCreated;
        _pump.RequestBeat();
        await _time.WaitForPendingTimerAsync(createdAfter: timers);

        _orchestrator.Verify(o => o.HeartbeatAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task While_a_result_waits_to_be_stored_heartbeats_go_on_with_free_capacity_and_stop_after_recovery()
    {
        // Intake is paused for storage (docs/adr/0014): no E1, so only heartbeats show the agent alive.
        _storage.StartWaiting("results cannot be stored (IOException: No space left on device)");
        await StartAsync();

        await AdvanceInStepsAsync(Interval * 4);
        var whileWaiting = _beats.Count;
        _storage.StopWaiting();
        await AdvanceInStepsAsync(Interval * 3);

        Assert.True(whileWaiting >= 4, $"expected a heartbeat per interval while a result waits, got {whileWaiting}");
        Assert.Equal(whileWaiting, _beats.Count);
    }

    [Fact]
    public async Task RequestBeat_while_saturated_sends_at_once()
    {
        Saturate();
        await StartAsync();

        _pump.RequestBeat();

        await Eventually.UntilAsync(() => !_beats.IsEmpty, "the requested heartbeat is sent");
        Assert.Equal(_start, Assert.Single(_beats));
    }

    [Fact]
    public async Task A_failing_heartbeat_does_not_stop_the_loop()
    {
        _failuresLeft = 2;
        Saturate();
        await StartAsync();

        await AdvanceInStepsAsync(Interval * 4);

        Assert.True(_beats.Count >= 4, $"expected heartbeats to continue after failures, got {_beats.Count}");
        Assert.Equal(_beats.Count - 2, _counters.HeartbeatsSent); // the metric counts only beats that went through
    }

    [Fact]
    public async Task A_heartbeat_failing_with_any_exception_does_not_stop_the_loop()
    {
        _failuresLeft = 2;
        _failure = () => new InvalidOperationException("not an HTTP failure");
        Saturate();
        await StartAsync();

        await AdvanceInStepsAsync(Interval * 4);

        Assert.True(_beats.Count >= 4, $"expected heartbeats to continue after failures, got {_beats.Count}");
        Assert.False(_run!.IsCompleted);
    }

    [Fact]
    public async Task A_beat_failing_while_the_pump_stops_ends_it_quietly()
    {
        // The beat in flight at shutdown fails with whatever the transport throws, not always a
        // cancellation: the pump must end normally, or the host counts a crashed loop.
        _failuresLeft = 1;
        _failure = () =>
        {
            _stop.Cancel();
            return new HttpRequestException("connection reset while stopping");
        };
        Saturate();
        await StartAsync();

        _pump.RequestBeat();

        await _run!.CompletesAsync();
        Assert.True(_run!.IsCompletedSuccessfully);
    }

    private void Saturate()
    {
        while (_inFlight.TryReserve())
        {
        }
    }

    private async Task StartAsync()
    {
        _run = Task.Run(() => _pump.RunAsync(_stop.Token));
        await _time.WaitForPendingTimerAsync();
    }

    /// <summary>Moves time in small steps; after a timer fires, waits until the pump is parked again.</summary>
    private async Task AdvanceInStepsAsync(TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += Step)
        {
            var created = _time.TimersCreated;
            var fired = _time.TimersFired;
            _time.Advance(Step);
            if (_time.TimersFired != fired)
            {
                await _time.WaitForPendingTimerAsync(createdAfter: created);
            }
        }
    }
}
