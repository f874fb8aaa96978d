using System.Text.Json;
using EgressAgent.Application.Events.Dispatching;

namespace EgressAgent.Application.Events;

/// <summary>The orchestrator's keep-alive; <c>ts</c> is its clock, a number or a string.</summary>
[OrchestratorEvent("heartbeat")]
public sealed record HeartbeatEvent(JsonElement? Ts = null) : IOrchestratorEvent;
