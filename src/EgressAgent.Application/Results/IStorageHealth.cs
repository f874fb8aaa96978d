namespace EgressAgent.Application.Results;

/// <summary>
/// Whether finished results can be stored right now (docs/protocol.md §10 "Storage faults lose nothing").
/// While a result waits in memory for the store, the agent is degraded: the poller fetches no
/// work, heartbeats go on, and health (and a later <c>/readyz</c>) says why.
/// </summary>
public interface IStorageHealth
{
    /// <summary>Results held in memory because the store refused them; each one's worker keeps retrying.</summary>
    int ResultsWaiting { get; }

    /// <summary>True while at least one result waits to be stored, or a store is stuck.</summary>
    bool IsDegraded { get; }

    /// <summary>
    /// How long the oldest store under way has gone without returning, once that is past its bound
    /// (30 s, docs/adr/0043): the volume is stuck (an fsync that never returns). Null otherwise.
    /// </summary>
    TimeSpan? StuckFor { get; }

    /// <summary>
    /// Why the agent is degraded, for health output and <c>/readyz</c>: a stuck store
    /// (<c>storage stuck: a store has not returned for N s</c>) or the latest storage fault in a few
    /// words (<c>results cannot be stored (storage: no space left on device)</c>) — never a path: the
    /// exception's message goes to the log only. Null otherwise.
    /// </summary>
    string? DegradedReason { get; }
}
