using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Tests.Executors.Network;

/// <summary>
/// How the network-check tests run a check: on the route it claims, as the runner hands it an
/// operation, bounded so that a check that hangs fails its test instead of hanging it.
/// </summary>
internal static class NetworkCheckRuns
{
    public static async Task<JsonObject> RunOnAsync(this IOperationExecutor executor, string path, JsonObject operation, TimeSpan bound, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(executor);
        Assert.Equal(path, executor.Route.Key);
        var result = await executor.ExecuteAsync(new OperationContext("op-1", path, "t-1", operation), cancellationToken).WaitAsync(bound);
        return result!.AsObject();
    }
}
