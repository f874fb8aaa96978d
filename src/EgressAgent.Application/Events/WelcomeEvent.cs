using EgressAgent.Application.Events.Dispatching;

namespace EgressAgent.Application.Events;

/// <summary>The orchestrator accepted the stream and names the agent it knows us as.</summary>
[OrchestratorEvent("welcome")]
public sealed record WelcomeEvent(string AgentId) : IOrchestratorEvent;
