namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// The notification stream. The implementation owns reconnects, so the sequence ends only
/// when its cancellation token fires.
/// </summary>
public interface IOrchestratorEventStream
{
    IAsyncEnumerable<StreamMessage> ReadAsync(CancellationToken cancellationToken);
}
