using System.Globalization;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Orchestrator;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EgressAgent.Host.Management;

/// <summary>
/// <c>/readyz</c> "the orchestrator answered within Operations:ActivityTimeout": an answer of any
/// status counts (the orchestrator is there), but a credential it rejects does not make the agent
/// able to do its job. Before the first answer the agent is not ready yet.
/// </summary>
internal sealed class OrchestratorReadiness(
    RequestActivity activity,
    CredentialRejections rejections,
    IOptions<OperationsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Monotonic ages: a wall-clock step fails no probe (docs/protocol.md §10 "Time", docs/adr/0042).
        var limit = options.Value.ActivityTimeout;
        HealthCheckResult result;
        if (activity.SinceLastAnswer is not { } sinceAnswer)
        {
            result = HealthCheckResult.Unhealthy("no answer from the orchestrator yet");
        }
        else if (sinceAnswer > limit)
        {
            result = HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"no answer from the orchestrator for {sinceAnswer.TotalSeconds:0.#} s (Operations:ActivityTimeout {limit.TotalSeconds:0.#} s)"));
        }
        else if (rejections.RejectedDuration is { } rejected)
        {
            result = HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"the orchestrator has rejected the credential for {rejected.TotalSeconds:0.#} s"));
        }
        else
        {
            result = HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"last answer {sinceAnswer.TotalSeconds:0.#} s ago"));
        }

        return Task.FromResult(result);
    }
}
