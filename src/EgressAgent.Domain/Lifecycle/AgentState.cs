namespace EgressAgent.Domain.Lifecycle;

/// <summary>The agent's lifecycle; it only moves forward (Running → Draining → Stopping → Stopped).</summary>
public enum AgentState
{
    Running = 0,
    Draining = 1,
    Stopping = 2,
    Stopped = 3,
}

public static class AgentStateNames
{
    /// <summary>The names health reports (docs/protocol.md §9).</summary>
    public static string ToWire(this AgentState state) => state switch
    {
        AgentState.Running => "running",
        AgentState.Draining => "draining",
        _ => "stopping",
    };
}
