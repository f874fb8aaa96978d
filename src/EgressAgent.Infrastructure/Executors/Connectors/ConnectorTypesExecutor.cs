using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Connectors;

/// <summary><c>/api/v1/agent/connectors/types</c> (docs/protocol.md §12.4): every name of every connection type this build serves, sorted.</summary>
internal sealed class ConnectorTypesExecutor(IEnumerable<IConnectionType> types) : IOperationExecutor
{
    private readonly string[] _names = [.. types.SelectMany(t => t.Names).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/agent/connectors/types");

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult<JsonNode?>(new JsonObject { ["types"] = new JsonArray([.. _names.Select(n => JsonValue.Create(n))]) });
}
