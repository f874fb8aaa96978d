namespace EgressAgent.Application.Lifecycle;

/// <summary>
/// Tracks whether the orchestrator has rejected every request (401/403) since some moment
/// (docs/protocol.md §4). Any accepted request clears it: only a credential that is never accepted
/// for AuthFailureExitAfter ends the process.
/// </summary>
public sealed class CredentialRejections(TimeProvider timeProvider)
{
    private const long None = long.MinValue;
    private long _rejectedSinceTicks = None;

    public DateTimeOffset? RejectedSince =>
        Interlocked.Read(ref _rejectedSinceTicks) is var ticks && ticks != None ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void RecordRejected() =>
        Interlocked.CompareExchange(ref _rejectedSinceTicks, timeProvider.GetUtcNow().UtcTicks, None);

    public void RecordAccepted() => Interlocked.Exchange(ref _rejectedSinceTicks, None);

    /// <summary>True when every request for at least <paramref name="limit"/> was rejected.</summary>
    public bool RejectedFor(TimeSpan limit) =>
        RejectedSince is { } since && timeProvider.GetUtcNow() - since >= limit;
}
