namespace EgressAgent.Application.Orchestrator;

/// <summary>
/// When the agent last sent a REST request: the orchestrator's idea of "alive" (the open stream
/// does not count). Touched by the HTTP pipeline for every E1–E6 request. Kept as monotonic
/// timestamps (<see cref="TimeProvider.GetTimestamp"/>): a wall-clock step moves no heartbeat and
/// fails no probe (docs/protocol.md §10 "Time", docs/adr/0042).
/// </summary>
public sealed class RequestActivity(TimeProvider timeProvider)
{
    private const long NoAnswer = long.MinValue;
    private long _lastRequest = timeProvider.GetTimestamp();
    private long _lastAnswer = NoAnswer;

    /// <summary>The monotonic timestamp of the last request (from the start until the first): compare two readings to see whether one came in between.</summary>
    public long LastRequestTimestamp => Interlocked.Read(ref _lastRequest);

    /// <summary>Monotonic time since the last REST request.</summary>
    public TimeSpan SinceLastRequest => timeProvider.GetElapsedTime(LastRequestTimestamp);

    public void Touch() => Interlocked.Exchange(ref _lastRequest, timeProvider.GetTimestamp());

    /// <summary>Monotonic time since the orchestrator last answered anything (any status, stream connects too); null before the first answer. Read by <c>/readyz</c>.</summary>
    public TimeSpan? SinceLastAnswer =>
        Interlocked.Read(ref _lastAnswer) is var answered && answered != NoAnswer ? timeProvider.GetElapsedTime(answered) : null;

    /// <summary>The orchestrator answered a request, whatever the status.</summary>
    public void Answered() => Interlocked.Exchange(ref _lastAnswer, timeProvider.GetTimestamp());
}
