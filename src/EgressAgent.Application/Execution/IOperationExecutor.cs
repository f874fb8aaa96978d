using System.Text.Json.Nodes;

namespace EgressAgent.Application.Execution;

/// <summary>
/// Runs one kind of operation. Implementations are found by scanning: a new executor is one
/// class (see docs/adding-an-executor.md). Throw <see cref="OperationFailedException"/> for an
/// error result with a chosen kind; any other exception becomes an error result named after it.
/// </summary>
public interface IOperationExecutor
{
    OperationRoute Route { get; }

    Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken);
}
