using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EgressAgent.Host.Management;

/// <summary><c>/readyz</c> "not shutting down": fails from the first moment of the shutdown sequence (docs/protocol.md §11).</summary>
internal sealed class ShutdownReadiness(IShutdownCoordinator shutdown) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = shutdown.State;
        return Task.FromResult(shutdown.Stopping.IsCancellationRequested || state != AgentState.Running
            ? HealthCheckResult.Unhealthy(state == AgentState.Running ? "shutting down" : $"shutting down ({state.ToWire()})")
            : HealthCheckResult.Healthy("running"));
    }
}
