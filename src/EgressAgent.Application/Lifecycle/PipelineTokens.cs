namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// The three stops of the shutdown sequence as tokens, in the order the sequence cancels them:
/// intake (no more E1, stream closed), running work (operations cancelled, no result) and
/// publishing (no more E2; what is undelivered stays stored). Kept apart from the host's stopping
/// token so the host stopping cannot cut a drain short (docs/protocol.md §7).
/// </summary>
public sealed class PipelineTokens : IDisposable
{
    private readonly CancellationTokenSource _intake = new();
    private readonly CancellationTokenSource _work = new();
    private readonly CancellationTokenSource _publishing = new();

    public CancellationToken Intake => _intake.Token;

    public CancellationToken Work => _work.Token;

    public CancellationToken Publishing => _publishing.Token;

    /// <summary>True once goodbye said assigned-but-unstarted work belongs to the orchestrator again.</summary>
    public bool DiscardAssignedWork { get; private set; }

    public void StopIntake(bool discardAssignedWork)
    {
        DiscardAssignedWork |= discardAssignedWork;
        _intake.Cancel();
    }

    public void CancelWork() => _work.Cancel();

    public void StopPublishing() => _publishing.Cancel();

    public void Dispose()
    {
        _intake.Dispose();
        _work.Dispose();
        _publishing.Dispose();
    }
}
