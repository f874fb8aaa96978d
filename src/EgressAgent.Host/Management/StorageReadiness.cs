using EgressAgent.Application.Results;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EgressAgent.Host.Management;

/// <summary>
/// <c>/readyz</c> "storage writable": fails while a result waits in memory for the store
/// (docs/adr/0014) and while a store has not returned within its bound (docs/adr/0043).
/// </summary>
internal sealed class StorageReadiness(IStorageHealth storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(storage.DegradedReason is not { } reason
            ? HealthCheckResult.Healthy("results can be stored")
            : HealthCheckResult.Unhealthy(storage.StuckFor is null ? $"storage degraded: {reason}" : reason));
}
