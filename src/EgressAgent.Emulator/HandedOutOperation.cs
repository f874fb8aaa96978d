namespace EgressAgent.Emulator;

/// <summary>An operation given to an agent, either by E1 or as <c>next_operation</c> of an E2 answer.</summary>
/// <param name="OperationId">The operation's id (or the label of a raw envelope).</param>
/// <param name="InstanceId">The <c>x-mcd-agent-instance-id</c> of the request that took it.</param>
/// <param name="At">When it left the queue.</param>
/// <param name="ViaPiggyback">True when it went out as <c>next_operation</c> of a result's answer.</param>
/// <param name="CarriedBy">For a piggybacked operation, the operation id of the result whose answer carried it; null for E1.</param>
public sealed record HandedOutOperation(string OperationId, string? InstanceId, DateTimeOffset At, bool ViaPiggyback, string? CarriedBy = null);
