using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Executors.Builtin;

/// <summary><c>builtin/sleep</c>: waits <c>duration_ms</c> (0..3,600,000), cancellably.</summary>
internal sealed class SleepExecutor(TimeProvider timeProvider) : IOperationExecutor
{
    private const long MaxDurationMs = 3_600_000;

    public OperationRoute Route { get; } = OperationRoute.Execute("builtin", "sleep");

    public async Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        if (!JsonNumbers.TryGetInt64(context.Operation["duration_ms"], out var durationMs)
            || durationMs is < 0 or > MaxDurationMs)
        {
            throw new OperationFailedException($"'duration_ms' must be an integer from 0 to {MaxDurationMs}", ErrorKinds.InvalidOperation);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(durationMs), timeProvider, cancellationToken);
        return new JsonObject { ["slept_ms"] = durationMs };
    }
}
