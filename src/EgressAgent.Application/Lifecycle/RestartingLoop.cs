using EgressAgent.Application.Health;
using EgressAgent.Domain.Faults;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// The shape the stream loop, the poller and the heartbeat pump share: rounds until stopped; a
/// round that throws is logged and the loop goes on after its wait, so no single fault stops a
/// loop (docs/protocol.md §10). Each loop says what a round is and what it waits for between
/// rounds; its bounded steps report to liveness through <see cref="Step"/>, the one place a loop
/// beats (docs/adr/0024).
/// </summary>
internal abstract partial class RestartingLoop(ILogger logger, ILoopProgress? progress) : IAgentLoop
{
    public abstract string Name { get; }

    /// <summary>Stops the loop besides the host's token: intake, for the loops that take work in.</summary>
    protected virtual CancellationToken StoppedBy => CancellationToken.None;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, StoppedBy);
        var stop = linked.Token;
        try
        {
            await BeforeFirstRoundAsync(stop);
            while (!stop.IsCancellationRequested)
            {
                var failed = false;
                try
                {
                    await RoundAsync(stop);
                }
                catch (Exception ex) when (ex.IsRecoverable())
                {
                    if (stop.IsCancellationRequested)
                    {
                        break; // a failure of the round in flight at shutdown is no news
                    }

                    LogRoundFailed(logger, Name, ex.GetType().Name, ex.Message);
                    failed = true;
                }

                if (!stop.IsCancellationRequested)
                {
                    await BetweenRoundsAsync(failed, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped while waiting: the normal end.
        }

        LogStopped(logger, Name);
    }

    /// <summary>Waits for what must happen before the first round (nothing, unless a loop says so).</summary>
    protected virtual Task BeforeFirstRoundAsync(CancellationToken stop) => Task.CompletedTask;

    protected abstract Task RoundAsync(CancellationToken stop);

    /// <summary>Between two rounds; <paramref name="failed"/> when the last one threw.</summary>
    protected abstract Task BetweenRoundsAsync(bool failed, CancellationToken stop);

    /// <summary>Opens a step of this loop that must end within <paramref name="bound"/> (liveness).</summary>
    protected IDisposable? Step(TimeSpan bound) => progress?.Working(Name, bound);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Loop} loop failed unexpectedly ({ErrorType}: {Error}); it goes on")]
    private static partial void LogRoundFailed(ILogger logger, string loop, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The {Loop} loop stopped")]
    private static partial void LogStopped(ILogger logger, string loop);
}
