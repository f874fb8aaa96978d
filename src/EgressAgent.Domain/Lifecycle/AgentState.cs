namespace EgressAgent.Domain.Lifecycle;

/// <summary>The agent's lifecycle; it only moves forward (Running → Draining → Stopping → Stopped).</summary>
public enum AgentState
{
    Running = 0,
    Draining = 1,
    Stopping = 2,
    Stopped = 3,
}
