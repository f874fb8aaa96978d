using System.Collections.Concurrent;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Tests.Support;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace EgressAgent.Application.Tests.Lifecycle;

public sealed class ShutdownCoordinatorTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    private readonly TrackingTimeProvider _time = new();
    private readonly Mock<IWorkPipeline> _pipeline = new(MockBehavior.Strict);
    private readonly Mock<IOrchestratorApi> _orchestrator = new(MockBehavior.Strict);
    private readonly Mock<IProcessLifetime> _lifetime = new(MockBehavior.Strict);
    private readonly ConcurrentQueue<string> _steps = new();
    private readonly TaskCompletionSource _drainStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _idleStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _applicationStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ShutdownCoordinator _coordinator;
    private Func<CancellationToken, Task> _whenDrained = _ => Task.CompletedTask;
    private Func<CancellationToken, Task> _whenIdle = _ => Task.CompletedTask;
    private Func<CancellationToken, Task> _notify = _ => Task.CompletedTask;
    private CancellationToken _flushToken;

    public ShutdownCoordinatorTests()
    {
        _pipeline.Setup(p => p.StopIntake(It.IsAny<bool>())).Callback<bool>(discard => _steps.Enqueue($"StopIntake({discard})"));
        _pipeline.Setup(p => p.WhenDrainedAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(token =>
        {
            _steps.Enqueue("WhenDrainedAsync");
            _drainStarted.TrySetResult();
            return _whenDrained(token);
        });
        _pipeline.Setup(p => p.CancelRunningWork()).Callback(() => _steps.Enqueue("CancelRunningWork"));
        _pipeline.Setup(p => p.WhenIdleAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(token =>
        {
            _steps.Enqueue("WhenIdleAsync");
            _idleStarted.TrySetResult();
            return _whenIdle(token);
        });
        _pipeline.Setup(p => p.FlushOutboxAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(token =>
        {
            _steps.Enqueue("FlushOutboxAsync");
            _flushToken = token;
            return Task.CompletedTask;
        });
        _orchestrator.Setup(o => o.NotifyShutdownAsync(It.IsAny<CancellationToken>())).Returns<CancellationToken>(token =>
        {
            _steps.Enqueue("NotifyShutdownAsync");
            return _notify(token);
        });
        _lifetime.Setup(l => l.StopApplication()).Callback(() =>
        {
            _steps.Enqueue("StopApplication");
            _applicationStopped.TrySetResult();
        });

        _coordinator = new ShutdownCoordinator(
            _pipeline.Object,
            _orchestrator.Object,
            _lifetime.Object,
            TestOptions.Create<ShutdownOptions>(o => o.Budget = Budget),
            TestOptions.Create<EndpointTimeoutOptions>(),
            _time,
            NullLogger<ShutdownCoordinator>.Instance);
    }

    public void Dispose() => _coordinator.Dispose();

    [Theory]
    [InlineData(ShutdownTrigger.Signal)]
    [InlineData(ShutdownTrigger.HostStop)]
    public async Task A_draining_trigger_runs_every_step_in_order(ShutdownTrigger trigger)
    {
        _coordinator.RequestShutdown(trigger, "test");
        await FinishedAsync();

        Assert.Equal(
            ["StopIntake(False)", "WhenDrainedAsync", "CancelRunningWork", "WhenIdleAsync", "NotifyShutdownAsync", "FlushOutboxAsync", "StopApplication"],
            _steps);
        Assert.Equal(ExitCodes.Graceful, _coordinator.ExitCode);
    }

    [Theory]
    [InlineData(ShutdownTrigger.Signal)]
    [InlineData(ShutdownTrigger.Goodbye)]
    public async Task Stopping_fires_when_the_sequence_starts_before_its_first_step(ShutdownTrigger trigger)
    {
        using var registration = _coordinator.Stopping.Register(() => _steps.Enqueue("Stopping"));
        Assert.False(_coordinator.Stopping.IsCancellationRequested);

        _coordinator.RequestShutdown(trigger, "test");
        await FinishedAsync();

        Assert.Equal("Stopping", _steps.First());
        Assert.Single(_steps, s => s == "Stopping");
    }

    [Fact]
    public async Task Goodbye_cancels_at_once_without_draining()
    {
        _coordinator.RequestShutdown(ShutdownTrigger.Goodbye, "activity_timeout");
        await FinishedAsync();

        Assert.Equal(
            ["StopIntake(True)", "CancelRunningWork", "WhenIdleAsync", "NotifyShutdownAsync", "FlushOutboxAsync", "StopApplication"],
            _steps);
        Assert.Equal(ExitCodes.Graceful, _coordinator.ExitCode);
    }

    [Fact]
    public async Task Rejected_credentials_exit_3_without_notifying_the_orchestrator()
    {
        _coordinator.RequestShutdown(ShutdownTrigger.CredentialsRejected, "every request rejected");
        await FinishedAsync();

        Assert.Equal(["StopIntake(True)", "CancelRunningWork", "WhenIdleAsync", "FlushOutboxAsync", "StopApplication"], _steps);
        Assert.True(_flushToken.IsCancellationRequested, "no delivery is attempted with a rejected credential");
        Assert.Equal(ExitCodes.CredentialsRejected, _coordinator.ExitCode);
    }

    [Fact]
    public async Task Many_concurrent_triggers_run_the_sequence_exactly_once()
    {
        const int threads = 32;
        var releaseDrain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _whenDrained = token => releaseDrain.Task.WaitAsync(token);
        var waiters = new ConcurrentBag<Task>();
        using var start = new Barrier(threads);

        var callers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            if (i % 2 == 0)
            {
                _coordinator.RequestShutdown(ShutdownTrigger.Signal, $"caller {i}");
            }
            else
            {
                waiters.Add(_coordinator.ShutdownAsync(ShutdownTrigger.HostStop, $"caller {i}"));
            }
        })).ToList();
        callers.ForEach(t => t.Start());
        callers.ForEach(t => Assert.True(t.Join(Eventually.Timeout)));
        await _drainStarted.Task.CompletesAsync();

        // Later callers wait for the one sequence instead of racing it.
        Assert.All(waiters, w => Assert.False(w.IsCompleted));
        releaseDrain.SetResult();
        await Task.WhenAll(waiters).CompletesAsync();
        await FinishedAsync();

        _pipeline.Verify(p => p.StopIntake(It.IsAny<bool>()), Times.Once);
        _pipeline.Verify(p => p.WhenDrainedAsync(It.IsAny<CancellationToken>()), Times.Once);
        _pipeline.Verify(p => p.CancelRunningWork(), Times.Once);
        _pipeline.Verify(p => p.FlushOutboxAsync(It.IsAny<CancellationToken>()), Times.Once);
        _orchestrator.Verify(o => o.NotifyShutdownAsync(It.IsAny<CancellationToken>()), Times.Once);
        _lifetime.Verify(l => l.StopApplication(), Times.Once);
    }

    [Fact]
    public async Task A_drain_that_never_ends_is_cut_when_the_budget_is_spent()
    {
        _whenDrained = token => Task.Delay(Timeout.Infinite, token);

        _coordinator.RequestShutdown(ShutdownTrigger.Signal, "SIGTERM");
        await _drainStarted.Task.CompletesAsync();
        await _time.WaitForPendingTimerAsync(dueTime: Budget);
        _time.Advance(Budget - TimeSpan.FromMilliseconds(1));

        Assert.Equal(AgentState.Draining, _coordinator.State);
        Assert.DoesNotContain("CancelRunningWork", _steps);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await FinishedAsync();

        Assert.Equal(
            ["StopIntake(False)", "WhenDrainedAsync", "CancelRunningWork", "WhenIdleAsync", "NotifyShutdownAsync", "FlushOutboxAsync", "StopApplication"],
            _steps);
        Assert.Equal(ExitCodes.Graceful, _coordinator.ExitCode);
    }

    [Fact]
    public async Task Escalate_during_the_drain_cuts_it_at_once()
    {
        _whenDrained = token => Task.Delay(Timeout.Infinite, token);
        var startedAt = _time.GetUtcNow();

        _coordinator.RequestShutdown(ShutdownTrigger.Signal, "SIGTERM");
        await _drainStarted.Task.CompletesAsync();
        _coordinator.Escalate("second SIGTERM");
        await FinishedAsync();

        Assert.Equal(startedAt, _time.GetUtcNow());
        Assert.Contains("CancelRunningWork", _steps);
        Assert.Equal(ExitCodes.Graceful, _coordinator.ExitCode);
        _lifetime.Verify(l => l.StopApplication(), Times.Once);
    }

    [Fact]
    public async Task Escalate_first_starts_a_sequence_that_does_not_wait_for_the_drain()
    {
        _whenDrained = token => Task.Delay(Timeout.Infinite, token);

        _coordinator.Escalate("SIGINT twice");
        await FinishedAsync();

        Assert.Contains("CancelRunningWork", _steps);
        Assert.Equal(ExitCodes.Graceful, _coordinator.ExitCode);
    }

    [Fact]
    public async Task State_moves_from_running_through_draining_and_stopping_to_stopped()
    {
        var releaseDrain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseIdle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _whenDrained = token => releaseDrain.Task.WaitAsync(token);
        _whenIdle = token => releaseIdle.Task.WaitAsync(token);
        Assert.Equal(AgentState.Running, _coordinator.State);

        _coordinator.RequestShutdown(ShutdownTrigger.Signal, "SIGTERM");
        await _drainStarted.Task.CompletesAsync();
        Assert.Equal(AgentState.Draining, _coordinator.State);

        releaseDrain.SetResult();
        await _idleStarted.Task.CompletesAsync();
        Assert.Equal(AgentState.Stopping, _coordinator.State);
        Assert.False(_coordinator.Completion.IsCompleted);

        releaseIdle.SetResult();
        await FinishedAsync();
        Assert.Equal(AgentState.Stopped, _coordinator.State);
    }

    [Fact]
    public async Task A_failing_notification_does_not_stop_the_sequence()
    {
        _notify = _ => Task.FromException(new HttpRequestException("connection refused"));

        _coordinator.RequestShutdown(ShutdownTrigger.Goodbye, "bye");
        await FinishedAsync();

        Assert.Equal(["NotifyShutdownAsync", "FlushOutboxAsync", "StopApplication"], _steps.TakeLast(3));
        Assert.Equal(ExitCodes.Graceful, _coordinator.ExitCode);
    }

    [Fact]
    public async Task A_notification_that_never_answers_is_abandoned_at_the_hard_deadline()
    {
        _notify = token => Task.Delay(Timeout.Infinite, token);
        var hardDeadline = Budget + ShutdownCoordinator.Overrun;

        _coordinator.RequestShutdown(ShutdownTrigger.Goodbye, "bye");
        await _time.WaitForPendingTimerAsync(dueTime: hardDeadline);
        _time.Advance(hardDeadline);
        await FinishedAsync();

        Assert.Equal(["NotifyShutdownAsync", "FlushOutboxAsync", "StopApplication"], _steps.TakeLast(3));
        Assert.True(_flushToken.IsCancellationRequested, "no time is left to flush after the deadline");
        Assert.Equal(ExitCodes.Graceful, _coordinator.ExitCode);
    }

    [Fact]
    public async Task A_step_that_throws_ends_the_sequence_with_exit_1_and_still_stops_the_host()
    {
        _whenIdle = _ => Task.FromException(new InvalidOperationException("pipeline bug"));

        _coordinator.RequestShutdown(ShutdownTrigger.Signal, "SIGTERM");
        await FinishedAsync();

        Assert.Equal(ExitCodes.Fatal, _coordinator.ExitCode);
        Assert.Equal(AgentState.Stopped, _coordinator.State);
        Assert.Equal("StopApplication", _steps.Last());
    }

    private async Task FinishedAsync()
    {
        // Completion is set just before the host is asked to stop: wait for both.
        await _coordinator.Completion.CompletesAsync();
        await _applicationStopped.Task.CompletesAsync();
    }
}
