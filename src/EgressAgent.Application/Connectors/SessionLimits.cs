namespace EgressAgent.Application.Connectors;

/// <summary>
/// The bounds of one operation's session: <c>operation.timeout</c> when given (each command is
/// also bounded by the type's own query timeout), and the cancellation of shutdown or timeout
/// arrives through the token of each call.
/// </summary>
public sealed record SessionLimits(TimeSpan? OperationTimeout);
