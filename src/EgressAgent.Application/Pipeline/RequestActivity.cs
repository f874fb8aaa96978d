namespace EgressAgent.Application.Pipeline;

/// <summary>
/// When the agent last sent a REST request: the orchestrator's idea of "alive" (the open stream
/// does not count). Touched by the HTTP pipeline for every E1–E6 request.
/// </summary>
public sealed class RequestActivity(TimeProvider timeProvider)
{
    private const long NoAnswer = long.MinValue;
    private long _lastRequestTicks = timeProvider.GetUtcNow().UtcTicks;
    private long _lastAnswerTicks = NoAnswer;

    public DateTimeOffset LastRequestAt => new(Interlocked.Read(ref _lastRequestTicks), TimeSpan.Zero);

    public void Touch() => Interlocked.Exchange(ref _lastRequestTicks, timeProvider.GetUtcNow().UtcTicks);

    /// <summary>When the orchestrator last answered anything (any status, stream connects too); null before the first answer. Read by <c>/readyz</c>.</summary>
    public DateTimeOffset? LastAnswerAt =>
        Interlocked.Read(ref _lastAnswerTicks) is var ticks && ticks != NoAnswer ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The orchestrator answered a request, whatever the status.</summary>
    public void Answered() => Interlocked.Exchange(ref _lastAnswerTicks, timeProvider.GetUtcNow().UtcTicks);
}
