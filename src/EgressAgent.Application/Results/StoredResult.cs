namespace EgressAgent.Application.Results;

/// <summary>A loaded entry: its operation and a way to read the result's JSON, not the result itself.</summary>
public sealed record StoredResult(string OperationId, IResultBody Body);
