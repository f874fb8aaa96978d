using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Domain.Faults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Intake;

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
    ILoopProgress? progress = null, // optional: rigs that do not watch liveness leave it out
    BacklogGate? backlog = null) // optional: rigs without a publisher poll at once
    : RestartingLoop(logger, progress)
{
    private readonly TimeSpan _pollInterval = operations.Value.PollInterval;
    private readonly TimeSpan _fetchBound = AgentLoops.FetchBound(timeouts.Value);

    public override string Name => AgentLoops.Poller;

    protected override CancellationToken StoppedBy => tokens.Intake;

    /// <summary>Results an earlier process left go out before new work comes in (docs/protocol.md §6.4).</summary>
    protected override Task BeforeFirstRoundAsync(CancellationToken stop) =>
        backlog?.Dispatched.WaitAsync(stop) ?? Task.CompletedTask;

    /// <summary>No single item stops the loop (docs/protocol.md §10): a failed round waits for the next trigger too.</summary>
    protected override Task RoundAsync(CancellationToken stop) => FetchUntilEmptyOrFullAsync(stop);

    protected override Task BetweenRoundsAsync(bool failed, CancellationToken stop) =>
        workSignal.WakeUp.WaitAsync(_pollInterval, timeProvider, stop);

    private async Task FetchUntilEmptyOrFullAsync(CancellationToken stop)
    {
        // No E1 while a result waits to be stored (docs/adr/0014); recovery signals a wake-up.
        while (!stop.IsCancellationRequested && !storage.IsDegraded && queue.InFlight.TryReserve())
        {
            using var step = Step(_fetchBound);
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
}
