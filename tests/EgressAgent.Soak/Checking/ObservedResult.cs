namespace EgressAgent.Soak.Checking;

/// <summary>One result PUT (E2) as the orchestrator recorded it, reduced to what the checker compares.</summary>
/// <param name="OperationId">From the path.</param>
/// <param name="InstanceId">The process that sent it.</param>
/// <param name="Accepted">Answered 2xx: delivered.</param>
/// <param name="BodyHash">SHA-256 of the <c>result</c> object's JSON: two deliveries are "the same body" when these match.</param>
/// <param name="TraceId">The result's <c>__mcd_trace_id__</c>, null when it has none.</param>
/// <param name="At">When the orchestrator answered it.</param>
internal sealed record ObservedResult(string OperationId, string? InstanceId, bool Accepted, string BodyHash, string? TraceId, DateTimeOffset At);
