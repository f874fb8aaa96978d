using System.Globalization;
using EgressAgent.Application.Configuration;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Pipeline;
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
    IOptions<OperationsOptions> options,
    TimeProvider timeProvider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = options.Value.ActivityTimeout;
        var now = timeProvider.GetUtcNow();
        HealthCheckResult result;
        if (activity.LastAnswerAt is not { } last)
        {
            result = HealthCheckResult.Unhealthy("no answer from the orchestrator yet");
        }
        else if (now - last > limit)
        {
            result = HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"no answer from the orchestrator for {(now - last).TotalSeconds:0.#} s (Operations:ActivityTimeout {limit.TotalSeconds:0.#} s)"));
        }
        else if (rejections.RejectedSince is { } since)
        {
            result = HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"the orchestrator has rejected the credential for {(now - since).TotalSeconds:0.#} s"));
        }
        else
        {
            result = HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"last answer {(now - last).TotalSeconds:0.#} s ago"));
        }

        return Task.FromResult(result);
    }
}
