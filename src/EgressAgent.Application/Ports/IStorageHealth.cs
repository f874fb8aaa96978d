namespace EgressAgent.Application.Ports;

/// <summary>
/// Whether finished results can be stored right now (docs/protocol.md §10 "Storage faults lose nothing").
/// While a result waits in memory for the store, the agent is degraded: the poller fetches no
/// work, heartbeats go on, and health (and a later <c>/readyz</c>) says why.
/// </summary>
public interface IStorageHealth
{
    /// <summary>Results held in memory because the store refused them; each one's worker keeps retrying.</summary>
    int ResultsWaiting { get; }

    /// <summary>True while at least one result waits to be stored.</summary>
    bool IsDegraded { get; }

    /// <summary>The latest storage error while degraded, for health output; null otherwise.</summary>
    string? DegradedReason { get; }
}
