namespace EgressAgent.Soak.Agents;

/// <summary>What follows the removal of an agent's data directory.</summary>
internal enum DataDirectoryRecovery
{
    /// <summary>Nothing: the agent makes it anew with its next write (§10, storage faults).</summary>
    AgentRecreates,

    /// <summary>An operator makes it anew (empty, 0700) while the agent runs.</summary>
    OperatorRecreates,

    /// <summary>An operator restarts the agent (SIGTERM, then a new process).</summary>
    Restart,
}
