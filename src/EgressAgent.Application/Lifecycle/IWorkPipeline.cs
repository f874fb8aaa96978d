namespace EgressAgent.Application.Lifecycle;

/// <summary>The pipeline as the shutdown sequence drives it, one step per member.</summary>
public interface IWorkPipeline
{
    /// <summary>No more E1, the stream closes. With <paramref name="discardAssignedWork"/>, work assigned from now on is left to the orchestrator.</summary>
    void StopIntake(bool discardAssignedWork);

    /// <summary>Completes when nothing is queued or running and every result is delivered.</summary>
    Task WhenDrainedAsync(CancellationToken cancellationToken);

    /// <summary>Cancels what still runs; those operations get no result.</summary>
    void CancelRunningWork();

    /// <summary>Completes when no operation holds a slot any more.</summary>
    Task WhenIdleAsync(CancellationToken cancellationToken);

    /// <summary>Delivers what it can until <paramref name="cancellationToken"/> fires, then stops publishing; the rest stays on disk.</summary>
    Task FlushOutboxAsync(CancellationToken cancellationToken);
}
