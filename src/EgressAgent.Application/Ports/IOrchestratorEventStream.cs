namespace EgressAgent.Application.Ports;

/// <summary>
/// The notification stream. The implementation owns reconnects, so the sequence ends only
/// when <paramref name="cancellationToken"/> fires.
/// </summary>
public interface IOrchestratorEventStream
{
    IAsyncEnumerable<StreamMessage> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>One SSE message: its joined data lines and its id, if the server sent one.</summary>
public sealed record StreamMessage(string Data, string? EventId);
