using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Network;

/// <summary><c>/api/v1/test/network/telnet</c>: the same TCP connect as <c>open</c>, with the same answers (docs/protocol.md §14).</summary>
internal sealed class TelnetExecutor(PortCheck check) : ISelfTimedExecutor
{
    public OperationRoute Route { get; } = OperationRoute.Exact("/api/v1/test/network/telnet");

    public TimeSpan TimeoutOf(JsonObject operation) => PortCheck.TimeoutOf(operation);

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return check.RunAsync(context.Operation, cancellationToken);
    }
}
