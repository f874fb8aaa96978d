namespace EgressAgent.Application.Pipeline;

/// <summary>
/// When the agent last sent a REST request: the orchestrator's idea of "alive" (the open stream
/// does not count). Touched by the HTTP pipeline for every E1–E6 request.
/// </summary>
public sealed class RequestActivity(TimeProvider timeProvider)
{
    private long _lastRequestTicks = timeProvider.GetUtcNow().UtcTicks;

    public DateTimeOffset LastRequestAt => new(Interlocked.Read(ref _lastRequestTicks), TimeSpan.Zero);

    public void Touch() => Interlocked.Exchange(ref _lastRequestTicks, timeProvider.GetUtcNow().UtcTicks);
}
