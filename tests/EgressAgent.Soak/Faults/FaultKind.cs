namespace EgressAgent.Soak.Faults;

/// <summary>The faults the soak injects.</summary>
internal enum FaultKind
{
    /// <summary>An exchange through one agent's proxy stalls: held half-open, or headers then silence.</summary>
    ConnectionStall,

    /// <summary>An exchange through one agent's proxy is reset (RST), before or after the answer started.</summary>
    ConnectionReset,

    /// <summary>The orchestrator answers the next result PUTs 503, and E1 503 for a few seconds.</summary>
    Orchestrator503Burst,

    /// <summary>The orchestrator answers everything 503 and ends the streams, for seconds.</summary>
    OrchestratorOutage,

    /// <summary>One agent's tmpfs filled until ENOSPC, held, freed.</summary>
    DiskFull,

    /// <summary>One agent's data directory removed under it.</summary>
    DataDirectoryRemoved,

    /// <summary>SIGTERM to one agent, then a new process.</summary>
    Sigterm,

    /// <summary>kill -9 to one agent, then a new process.</summary>
    Kill9,

    /// <summary>The orchestrator's goodbye to one agent, then a new process.</summary>
    Goodbye,
}
