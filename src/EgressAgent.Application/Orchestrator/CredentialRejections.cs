namespace EgressAgent.Application.Orchestrator;

/// <summary>
/// Tracks whether the orchestrator has rejected every request (401/403) since some moment
/// (docs/protocol.md §4). Any accepted request clears it: only a credential that is never accepted
/// for AuthFailureExitAfter ends the process. Measured on the monotonic clock: a wall-clock step
/// neither ends the process early nor holds its exit back (docs/protocol.md §10 "Time", docs/adr/0042).
/// </summary>
public sealed class CredentialRejections(TimeProvider timeProvider)
{
    private const long None = long.MinValue;
    private long _rejectedSince = None;

    /// <summary>Monotonic time since the first of an unbroken run of rejections; null when the last answer was not one.</summary>
    public TimeSpan? RejectedDuration =>
        Interlocked.Read(ref _rejectedSince) is var since && since != None ? timeProvider.GetElapsedTime(since) : null;

    public void RecordRejected() =>
        Interlocked.CompareExchange(ref _rejectedSince, timeProvider.GetTimestamp(), None);

    public void RecordAccepted() => Interlocked.Exchange(ref _rejectedSince, None);

    /// <summary>True when every request for at least <paramref name="limit"/> was rejected.</summary>
    public bool RejectedFor(TimeSpan limit) => RejectedDuration is { } rejected && rejected >= limit;
}
