using System.Text.Json.Nodes;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Application.Execution;

/// <summary>
/// What an executor gets: the operation body, its identity, and the envelope's data-source
/// credentials (docs/protocol.md §12.1; empty for most operations, never printed).
/// </summary>
public sealed record OperationContext(string OperationId, string Path, string TraceId, JsonObject Operation)
{
    public OperationCredentials Credentials { get; init; } = OperationCredentials.Empty;
}
