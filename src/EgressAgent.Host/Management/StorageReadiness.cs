using EgressAgent.Application.Ports;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EgressAgent.Host.Management;

/// <summary><c>/readyz</c> "storage writable": fails while a result waits in memory for the store (docs/adr/0014).</summary>
internal sealed class StorageReadiness(IStorageHealth storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(storage.DegradedReason is { } reason
            ? HealthCheckResult.Unhealthy($"storage degraded: {reason}")
            : HealthCheckResult.Healthy("results can be stored"));
}
