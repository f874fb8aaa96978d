using EgressAgent.Soak.Agents;

namespace EgressAgent.Soak.Faults;

/// <summary>One fault with every random choice it needs already drawn.</summary>
/// <param name="Kind">What to inject.</param>
/// <param name="Slot">The agent it hits (ignored by orchestrator faults).</param>
/// <param name="Proxy">For a stall or reset: which exchange and how.</param>
/// <param name="Hold">How long a disk stays full, an outage or an E1 503 lasts.</param>
/// <param name="Count">How many result PUTs a 503 burst refuses.</param>
/// <param name="Recovery">What follows a removed data directory.</param>
internal sealed record FaultPlan(FaultKind Kind, AgentSlot Slot, ProxyFaultPlan Proxy, TimeSpan Hold, int Count, DataDirectoryRecovery Recovery);
