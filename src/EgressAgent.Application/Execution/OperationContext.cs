using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>What an executor gets: the operation body and its identity.</summary>
public sealed record OperationContext(string OperationId, string Path, string TraceId, JsonObject Operation);
