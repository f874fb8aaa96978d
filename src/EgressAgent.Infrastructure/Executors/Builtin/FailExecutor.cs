using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Executors.Builtin;

/// <summary><c>builtin/fail</c>: an error result carrying <c>message</c>.</summary>
internal sealed class FailExecutor : IOperationExecutor
{
    public OperationRoute Route { get; } = OperationRoute.Execute("builtin", "fail");

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var message = context.Operation["message"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        throw new OperationFailedException(message ?? string.Empty, ErrorKinds.OperationFailed);
    }
}
