using EgressAgent.Application.Orchestrator;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// Runs docs/protocol.md §7 once: stop intake → drain (signals, host stop) → cancel the rest → E4 →
/// flush the outbox → ask the host to stop. The whole sequence fits in the budget plus
/// <see cref="Overrun"/>, which leaves part of the contract's 2 s for the process to exit.
/// </summary>
internal sealed partial class ShutdownCoordinator(
    IWorkPipeline pipeline,
    IOrchestratorApi orchestrator,
    IProcessLifetime lifetime,
    IOptions<ShutdownOptions> shutdown,
    IOptions<EndpointTimeoutOptions> timeouts,
    TimeProvider timeProvider,
    ILogger<ShutdownCoordinator> logger) : IShutdownCoordinator, IDisposable
{
    internal static readonly TimeSpan Overrun = TimeSpan.FromSeconds(1.5);
    internal static readonly TimeSpan CancelledWorkGrace = TimeSpan.FromMilliseconds(500);

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _escalation = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _budget = shutdown.Value.Budget;

    // E4's own timeout (docs/protocol.md §3: 15 s), capped by what is left of the budget.
    private readonly TimeSpan _notifyTimeout = timeouts.Value.NotifyShutdown;

    private int _started;
    private int _state = (int)AgentState.Running;
    private int _exitCode;

    public AgentState State => (AgentState)Volatile.Read(ref _state);

    public int ExitCode => Volatile.Read(ref _exitCode);

    public Task Completion => _completion.Task;

    public CancellationToken Stopping => _stopping.Token;

    public void RequestShutdown(ShutdownTrigger trigger, string reason)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(() => RunAsync(trigger, reason));
        }
        else
        {
            LogAlreadyStopping(logger, trigger, reason);
        }
    }

    public Task ShutdownAsync(ShutdownTrigger trigger, string reason)
    {
        RequestShutdown(trigger, reason);
        return Completion;
    }

    public void Escalate(string reason)
    {
        LogEscalated(logger, reason);
        _escalation.Cancel();
        RequestShutdown(ShutdownTrigger.Signal, reason);
    }

    public void Dispose()
    {
        _escalation.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(ShutdownTrigger trigger, string reason)
    {
        var exitCode = trigger.ExitCode();
        try
        {
            // First: whoever watches (readiness, systemd) must know before anything stops.
            _stopping.Cancel();
            // On the monotonic clock: a wall-clock step during shutdown must not cut a step short (docs/adr/0042).
            var started = timeProvider.GetTimestamp();
            var hardDeadline = _budget + Overrun; // measured from started
            LogStarted(logger, trigger, reason, _budget);

            SetState(trigger.Drains() ? AgentState.Draining : AgentState.Stopping);
            pipeline.StopIntake(discardAssignedWork: !trigger.Drains());
            if (trigger.Drains())
            {
                await DrainAsync();
            }

            SetState(AgentState.Stopping);
            pipeline.CancelRunningWork();
            await WithinAsync(pipeline.WhenIdleAsync, Min(CancelledWorkGrace, hardDeadline - timeProvider.GetElapsedTime(started)));

            if (trigger.NotifiesOrchestrator())
            {
                await NotifyAsync(Min(_notifyTimeout, hardDeadline - timeProvider.GetElapsedTime(started)));
                await pipeline.FlushOutboxAsync(CancelAfter(hardDeadline - timeProvider.GetElapsedTime(started)));
            }
            else
            {
                await pipeline.FlushOutboxAsync(new CancellationToken(canceled: true));
            }
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            exitCode = ExitCodes.Fatal;
            LogSequenceFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref _exitCode, exitCode);
            SetState(AgentState.Stopped);
            LogFinished(logger, trigger, exitCode);
            _completion.TrySetResult();
            lifetime.StopApplication();
        }
    }

    private async Task DrainAsync()
    {
        using var budget = new CancellationTokenSource(_budget, timeProvider);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, _escalation.Token);
        try
        {
            await pipeline.WhenDrainedAsync(stop.Token);
            LogDrained(logger);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (_escalation.IsCancellationRequested)
            {
                LogDrainCutBySignal(logger);
            }
            else
            {
                LogBudgetSpent(logger, _budget);
            }
        }
    }

    private async Task NotifyAsync(TimeSpan timeout)
    {
        try
        {
            await WithinAsync(orchestrator.NotifyShutdownAsync, timeout, rethrow: true);
            LogNotified(logger);
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            LogNotifyFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    private async Task WithinAsync(Func<CancellationToken, Task> step, TimeSpan timeout, bool rethrow = false)
    {
        try
        {
            await step(CancelAfter(timeout));
        }
        catch (OperationCanceledException) when (!rethrow)
        {
        }
    }

    private CancellationToken CancelAfter(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero
            ? new CancellationToken(canceled: true)
            : new CancellationTokenSource(timeout, timeProvider).Token;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void SetState(AgentState state) => Volatile.Write(ref _state, (int)state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown started by {Trigger} ({Reason}); budget {Budget}")]
    private static partial void LogStarted(ILogger logger, ShutdownTrigger trigger, string reason, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutdown already under way; {Trigger} ({Reason}) waits for it")]
    private static partial void LogAlreadyStopping(ILogger logger, ShutdownTrigger trigger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown escalated by {Reason}: cancelling running operations now")]
    private static partial void LogEscalated(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained: every operation finished and every result was delivered")]
    private static partial void LogDrained(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown budget of {Budget} spent; cancelling what still runs")]
    private static partial void LogBudgetSpent(ILogger logger, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain cut short by a second signal")]
    private static partial void LogDrainCutBySignal(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orchestrator notified of shutdown")]
    private static partial void LogNotified(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown notification failed ({ErrorType}: {Error})")]
    private static partial void LogNotifyFailed(ILogger logger, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The shutdown sequence failed")]
    private static partial void LogSequenceFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown finished ({Trigger}); exit code {ExitCode}")]
    private static partial void LogFinished(ILogger logger, ShutdownTrigger trigger, int exitCode);
}
