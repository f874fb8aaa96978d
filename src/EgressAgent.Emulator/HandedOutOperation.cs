namespace EgressAgent.Emulator;

/// <summary>An operation given to an agent, either by E1 or as <c>next_operation</c> of an E2 answer.</summary>
public sealed record HandedOutOperation(string OperationId, string? InstanceId, DateTimeOffset At, bool ViaPiggyback);
