namespace EgressAgent.Application.Ports;

/// <summary>
/// The notification stream. The implementation owns reconnects, so the sequence ends only
/// when <paramref name="cancellationToken"/> fires.
/// </summary>
public interface IOrchestratorEventStream
{
    IAsyncEnumerable<StreamMessage> ReadAsync(CancellationToken cancellationToken);
}
