using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Executors.Builtin;

/// <summary><c>builtin/sleep</c>: waits <c>duration_ms</c> (0..3,600,000), cancellably.</summary>
internal sealed class SleepExecutor(TimeProvider timeProvider) : IOperationExecutor
{
    /// <summary>0..3,600,000 ms (docs/protocol.md §5.2); required.</summary>
    internal static readonly IntegerField DurationField = new("duration_ms", 0, 3_600_000);

    public OperationRoute Route { get; } = OperationRoute.Execute("builtin", "sleep");

    public async Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var durationMs = DurationField.ReadRequired(context.Operation);
        await Task.Delay(TimeSpan.FromMilliseconds(durationMs), timeProvider, cancellationToken);
        return new JsonObject { ["slept_ms"] = durationMs };
    }
}
