using EgressAgent.Application.Intake;
using EgressAgent.Application.Results;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Lifecycle;

internal sealed partial class WorkPipeline(
    WorkQueue queue,
    ResultPublisher publisher,
    IResultOutbox outbox,
    PipelineTokens tokens,
    ILogger<WorkPipeline> logger) : IWorkPipeline
{
    public void StopIntake(bool discardAssignedWork) => tokens.StopIntake(discardAssignedWork);

    public async Task WhenDrainedAsync(CancellationToken cancellationToken)
    {
        await queue.WhenEmptyAsync(cancellationToken);
        await publisher.WhenOutboxEmptyAsync(cancellationToken);
    }

    public void CancelRunningWork() => tokens.CancelWork();

    public Task WhenIdleAsync(CancellationToken cancellationToken) => queue.WhenEmptyAsync(cancellationToken);

    public async Task FlushOutboxAsync(CancellationToken cancellationToken)
    {
        try
        {
            await publisher.WhenOutboxEmptyAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            tokens.StopPublishing();
            LogLeftBehind();
        }
    }

    /// <summary>
    /// The last word on the work: what this process leaves to others, so an operator looking for an
    /// operation's result learns where it went (docs/operations.md "Shutdown budget").
    /// </summary>
    private void LogLeftBehind()
    {
        // Slots still held: operations queued, running past their cancellation, or an E1 in flight.
        var unfinished = queue.InFlight.InFlight;
        var undelivered = outbox.PendingCount;
        if (unfinished > 0 || undelivered > 0)
        {
            LogStoppedWithWorkLeft(logger, undelivered, unfinished);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped with work left: {Undelivered} stored result(s) stay in the outbox for the next start; {Unfinished} operation(s) still queued, running or being fetched get no result from this process (the orchestrator requeues them)")]
    private static partial void LogStoppedWithWorkLeft(ILogger logger, int undelivered, int unfinished);
}
