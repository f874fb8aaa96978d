namespace EgressAgent.Application.Intake;

/// <summary>
/// Opens once the results an earlier process left are on their way (all of them, or as many as
/// can be delivered at once): the publisher opens it, the poller waits for it, so stored results
/// go out before new work comes in (docs/protocol.md §6.4).
/// </summary>
internal sealed class BacklogGate
{
    private readonly TaskCompletionSource _dispatched = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Dispatched => _dispatched.Task;

    public void Open() => _dispatched.TrySetResult();
}
