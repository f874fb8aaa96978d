namespace EgressAgent.Soak.Checking;

/// <summary>A secret found where it must never be: named, never quoted.</summary>
/// <param name="SecretName">Which secret (e.g. <c>orchestrator token</c>), not its value.</param>
/// <param name="Where">Where it was found (e.g. <c>stdout of agent 2 pid 4242</c>, <c>result of op-17</c>).</param>
internal sealed record SecretFinding(string SecretName, string Where);
