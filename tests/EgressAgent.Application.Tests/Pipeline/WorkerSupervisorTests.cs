using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EgressAgent.Application.Tests.Pipeline;

/// <summary>docs/adr/0043: a worker never dies silently; one that cannot be replaced fails liveness.</summary>
public sealed class WorkerSupervisorTests
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly LoopHeartbeats _heartbeats = new(new FakeTimeProvider());

    [Fact]
    public async Task A_worker_that_dies_is_logged_and_replaced_and_liveness_stays_healthy()
    {
        var supervisor = new WorkerSupervisor(_logs.For<WorkerSupervisor>(), _heartbeats);
        var lives = 0;

        // Each life finishes an operation, then dies; the fourth returns (as at shutdown).
        await supervisor.RunAsync(1, life =>
        {
            life.FinishedOne();
            return ++lives < 4 ? throw new InsufficientMemoryException("no memory between two operations") : Task.CompletedTask;
        }, CancellationToken.None).CompletesAsync();

        Assert.Equal(4, lives);
        Assert.Equal(3, _logs.Records.Count(r => r.Level == LogLevel.Error && r.Message == "Worker 1 died (InsufficientMemoryException: no memory between two operations); a new worker takes its place"));
        Assert.Empty(_heartbeats.DeadParts());
    }

    [Fact]
    public async Task A_worker_that_keeps_dying_without_finishing_an_operation_is_reported_dead_to_liveness()
    {
        var supervisor = new WorkerSupervisor(_logs.For<WorkerSupervisor>(), _heartbeats);
        var lives = 0;

        await supervisor.RunAsync(2, _ =>
        {
            Interlocked.Increment(ref lives);
            return Task.FromException(new InvalidOperationException("the queue is broken"));
        }, CancellationToken.None).CompletesAsync();

        Assert.Equal(2 * WorkerSupervisor.MaxDeathsInARow, lives);
        Assert.Equal(
            [
                "workers: worker 1 died 3 times in a row without finishing an operation (InvalidOperationException: the queue is broken); not replaced",
                "workers: worker 2 died 3 times in a row without finishing an operation (InvalidOperationException: the queue is broken); not replaced",
            ],
            _heartbeats.DeadParts().Order(StringComparer.Ordinal));
        Assert.Equal(2, _logs.Records.Count(r => r.Level == LogLevel.Critical));
        Assert.Equal(4, _logs.Records.Count(r => r.Level == LogLevel.Error && r.Message.EndsWith("a new worker takes its place", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_worker_that_dies_during_shutdown_is_logged_and_not_replaced()
    {
        var supervisor = new WorkerSupervisor(_logs.For<WorkerSupervisor>(), _heartbeats);
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        var lives = 0;

        await supervisor.RunAsync(1, _ =>
        {
            lives++;
            return Task.FromException(new InvalidOperationException("late"));
        }, stop.Token).CompletesAsync();

        Assert.Equal(1, lives);
        Assert.Contains(_logs.Records, r => r.Level == LogLevel.Warning && r.Message == "Worker 1 died during shutdown (InvalidOperationException: late)");
        Assert.Empty(_heartbeats.DeadParts());
    }
}
