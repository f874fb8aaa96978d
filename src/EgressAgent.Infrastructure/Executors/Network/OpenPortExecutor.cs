using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary><c>/api/v1/test/network/open</c>: is <c>host</c>:<c>port</c> reachable over TCP (docs/protocol.md §14)?</summary>
internal sealed class OpenPortExecutor(PortCheck check) : ISelfTimedExecutor
{
    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/test/network/open");

    public TimeSpan TimeoutOf(JsonObject operation) => PortCheck.TimeoutOf(operation);

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return check.RunAsync(context.Operation, cancellationToken);
    }
}
