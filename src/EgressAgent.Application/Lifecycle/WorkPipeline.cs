using EgressAgent.Application.Intake;
using EgressAgent.Application.Results;

namespace EgressAgent.Application.Lifecycle;

internal sealed class WorkPipeline(WorkQueue queue, ResultPublisher publisher, PipelineTokens tokens) : IWorkPipeline
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
        }
    }
}
