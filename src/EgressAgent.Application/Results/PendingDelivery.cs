using EgressAgent.Domain.Timing;

namespace EgressAgent.Application.Results;

/// <summary>
/// What <see cref="ResultPublisher"/> remembers about one stored result between its attempts, in
/// memory only (a restart starts each backlog result afresh). Guarded by the publisher's lock.
/// </summary>
internal sealed class PendingDelivery(OutboxEntry entry, FullJitterBackoff backoff)
{
    public OutboxEntry Entry { get; } = entry;

    public FullJitterBackoff Backoff { get; } = backoff;

    /// <summary>E2 requests made; not <see cref="FullJitterBackoff.Failures"/>, which also counts faults that sent nothing.</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// No attempt before this, on the publisher's monotonic axis (time since it started); the
    /// default (its start) means due now.
    /// </summary>
    public TimeSpan NotBefore { get; set; }

    /// <summary>A request for it is in flight, or about to be: the scheduler skips it.</summary>
    public bool InFlight { get; set; }

    /// <summary>
    /// Its fate is decided (delivered or dropped) but removing it from the outbox failed: the next
    /// turn only retries the removal and never sends it again.
    /// </summary>
    public bool? SettledAsDelivered { get; set; }

    /// <summary>The size of the body a 413 refused: the next turn goes straight to storing the replacement.</summary>
    public long? RefusedBytes { get; set; }

    /// <summary>Its operation, once loaded (an entry's key does not say it).</summary>
    public string? OperationId { get; set; }

    /// <summary>Its location result, once its upload to object storage is complete (docs/protocol.md §13).</summary>
    public IResultBody? Location { get; set; }

    /// <summary>Removed from the outbox: forgotten once a listing no longer holds it.</summary>
    public bool Gone { get; set; }
}
