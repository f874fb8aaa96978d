using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Metrics;

/// <summary>
/// <c>/api/v1/agent/metrics</c>: the agent's own instruments as Prometheus text exposition lines,
/// returned as one JSON string (docs/adr/0009-sql-executor.md) — the same instruments and names
/// as the management endpoint <c>/metrics</c> (docs/adr/0024), without the runtime and process ones.
/// </summary>
internal sealed class MetricsExecutor(AgentMeterReader reader) : IOperationExecutor
{
    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/agent/metrics");

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult<JsonNode?>(JsonValue.Create(reader.Render()));
}
