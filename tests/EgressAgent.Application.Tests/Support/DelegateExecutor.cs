using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Application.Tests.Support;

/// <summary>An executor whose behaviour is the test's lambda; records the contexts it saw.</summary>
internal sealed class DelegateExecutor(OperationRoute route, Func<OperationContext, CancellationToken, Task<JsonNode?>> execute) : IOperationExecutor
{
    private readonly List<OperationContext> _seen = [];

    public OperationRoute Route { get; } = route;

    public IReadOnlyList<OperationContext> Seen
    {
        get
        {
            lock (_seen)
            {
                return _seen.ToList();
            }
        }
    }

    public Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        lock (_seen)
        {
            _seen.Add(context);
        }

        return execute(context, cancellationToken);
    }
}
