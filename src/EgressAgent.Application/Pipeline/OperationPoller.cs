using EgressAgent.Application.Configuration;
using EgressAgent.Application.Liveness;
using EgressAgent.Application.Ports;
using EgressAgent.Application.Signals;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Pipeline;

/// <summary>
/// Pulls work with E1 (docs/protocol.md §6.1): until 204 or full capacity, then waits for a wake-up
/// (work_available, freed capacity) or the idle poll interval. A slot is reserved before each
/// fetch, so the agent never holds more than it can run.
/// </summary>
internal sealed partial class OperationPoller(
    IOrchestratorApi orchestrator,
    WorkQueue queue,
    WorkSignal workSignal,
    AssignedWorkIntake intake,
    PipelineTokens tokens,
    IOptions<OperationsOptions> operations,
    IOptions<EndpointTimeoutOptions> timeouts,
    TimeProvider timeProvider,
    ILogger<OperationPoller> logger,
    IStorageHealth storage,
    ILoopProgress? progress = null) // optional: rigs that do not watch liveness leave it out
{
    private readonly TimeSpan _pollInterval = operations.Value.PollInterval;
    private readonly TimeSpan _fetchBound = AgentLoops.FetchBound(timeouts.Value);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tokens.Intake);
        var stop = linked.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await FetchUntilEmptyOrFullAsync(stop);
            }
            catch (Exception ex) when (ex.IsRecoverable())
            {
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                // No single item stops the loop (docs/protocol.md §10): log it and wait for the next trigger.
                LogRoundFailed(logger, ex.GetType().Name, ex.Message);
            }

            try
            {
                await workSignal.WakeUp.WaitAsync(_pollInterval, timeProvider, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        LogPollerStopped(logger);
    }

    private async Task FetchUntilEmptyOrFullAsync(CancellationToken stop)
    {
        // No E1 while a result waits to be stored (docs/adr/0014); recovery signals a wake-up.
        while (!stop.IsCancellationRequested && !storage.IsDegraded && queue.InFlight.TryReserve())
        {
            using var step = progress?.Working(AgentLoops.Poller, _fetchBound);
            FetchedOperation? fetched;
            try
            {
                // Not the intake token: an E1 already in flight when a drain starts finishes and its
                // operation runs. Goodbye cancels Work, which abandons it to the orchestrator.
                fetched = await orchestrator.FetchOperationAsync(tokens.Work);
            }
            catch (Exception ex) when (ex.IsRecoverable())
            {
                queue.ReleaseSlot();
                if (!tokens.Work.IsCancellationRequested)
                {
                    LogFetchFailed(logger, ex.GetType().Name, ex.Message);
                }

                return;
            }

            if (fetched is null)
            {
                queue.ReleaseSlot();
                return;
            }

            try
            {
                intake.AcceptReserved(fetched, "E1");
            }
            catch
            {
                // Not enqueued: the slot reserved for it must not leak.
                queue.ReleaseSlot();
                throw;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching work failed ({ErrorType}: {Error}); waiting for the next trigger")]
    private static partial void LogFetchFailed(ILogger logger, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A round of fetching work failed unexpectedly ({ErrorType}: {Error}); the poller goes on")]
    private static partial void LogRoundFailed(ILogger logger, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Poller stopped")]
    private static partial void LogPollerStopped(ILogger logger);
}
