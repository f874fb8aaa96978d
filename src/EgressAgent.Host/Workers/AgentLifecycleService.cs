using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Domain;
using EgressAgent.Domain.Lifecycle;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Host.Workers;

/// <summary>
/// Registered last, so the host stops it first: any host stop runs the shutdown sequence to its
/// end before the other services' loops are cancelled.
/// </summary>
internal sealed partial class AgentLifecycleService(
    IShutdownCoordinator shutdown,
    InstanceId instanceId,
    IOptions<OrchestratorOptions> orchestrator,
    IOptions<OperationsOptions> operations,
    IOptions<EventsOptions> events,
    IStartupWarnings startupWarnings,
    ILogger<AgentLifecycleService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarted(logger, instanceId.ToString(), orchestrator.Value.BaseUrl is { } url ? SecretNames.WithoutUrlCredentials(url) : null, operations.Value.Workers, events.Value.Enabled);
        startupWarnings.LogAtStart();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        shutdown.ShutdownAsync(ShutdownTrigger.HostStop, "host stopping");

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent instance {InstanceId} started against {BaseUrl} with {Workers} workers (stream enabled: {StreamEnabled})")]
    private static partial void LogStarted(ILogger logger, string instanceId, string? baseUrl, int workers, bool streamEnabled);
}
