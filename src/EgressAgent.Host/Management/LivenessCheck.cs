using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EgressAgent.Host.Management;

/// <summary><c>/livez</c>: unhealthy (503) while a loop is stuck or dead; a restart is the cure.</summary>
internal sealed class LivenessCheck(AgentLiveness liveness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = liveness.Problems();
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("every loop makes progress")
            : HealthCheckResult.Unhealthy(string.Join("; ", problems)));
    }
}
