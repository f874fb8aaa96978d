using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Builtin;

/// <summary><c>builtin/echo</c>: the operation object unchanged (tests, demo, smoke tests).</summary>
internal sealed class EchoExecutor : IOperationExecutor
{
    public OperationRoute Route { get; } = OperationRoute.Execute("builtin", "echo");

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult<JsonNode?>(context.Operation);
}
