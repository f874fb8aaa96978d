using EgressAgent.Application.Events.Dispatching;

namespace EgressAgent.Application.Events;

/// <summary>There is work to pull. Carries no fields.</summary>
[OrchestratorEvent("work_available")]
public sealed record WorkAvailableEvent : IOrchestratorEvent;
