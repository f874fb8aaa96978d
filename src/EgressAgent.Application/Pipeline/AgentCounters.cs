namespace EgressAgent.Application.Pipeline;

/// <summary>The agent's own counters, read by health and metrics. Lock-free: written on hot paths.</summary>
public sealed class AgentCounters
{
    private long _operationsSucceeded;
    private long _operationsFailed;
    private long _operationsCancelled;
    private long _resultsDelivered;
    private long _resultsDropped;
    private long _streamConnects;
    private long _streamReconnects;
    private long _heartbeatsSent;

    public long OperationsSucceeded => Interlocked.Read(ref _operationsSucceeded);
    public long OperationsFailed => Interlocked.Read(ref _operationsFailed);
    public long OperationsCancelled => Interlocked.Read(ref _operationsCancelled);
    public long ResultsDelivered => Interlocked.Read(ref _resultsDelivered);
    public long ResultsDropped => Interlocked.Read(ref _resultsDropped);
    public long StreamConnects => Interlocked.Read(ref _streamConnects);
    public long StreamReconnects => Interlocked.Read(ref _streamReconnects);
    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);

    public void OperationSucceeded() => Interlocked.Increment(ref _operationsSucceeded);
    public void OperationFailed() => Interlocked.Increment(ref _operationsFailed);
    public void OperationCancelled() => Interlocked.Increment(ref _operationsCancelled);
    public void ResultDelivered() => Interlocked.Increment(ref _resultsDelivered);
    public void ResultDropped() => Interlocked.Increment(ref _resultsDropped);
    public void StreamConnected() => Interlocked.Increment(ref _streamConnects);
    public void StreamReconnecting() => Interlocked.Increment(ref _streamReconnects);
    public void HeartbeatSent() => Interlocked.Increment(ref _heartbeatsSent);
}
