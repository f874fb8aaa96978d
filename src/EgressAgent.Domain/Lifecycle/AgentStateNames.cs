namespace EgressAgent.Domain.Lifecycle;

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
