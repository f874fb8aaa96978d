using EgressAgent.Application.Connectors;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Application.ResultStorage;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Executors.Health;

/// <summary>
/// Every configuration section with its name, in the order of docs/protocol.md §8, for health's
/// <c>parameters</c> (<see cref="NonSecretSettings"/>): the one place that needs all of them.
/// </summary>
internal sealed class HealthSettings(
    IOptions<OrchestratorOptions> orchestrator,
    IOptions<EndpointTimeoutOptions> timeouts,
    IOptions<EventsOptions> events,
    IOptions<OperationsOptions> operations,
    IOptions<HeartbeatOptions> heartbeat,
    IOptions<ShutdownOptions> shutdown,
    IOptions<StorageOptions> storage,
    IOptions<ResultsOptions> results,
    IOptions<ResultStorageOptions> resultStorage,
    IOptions<ConnectionsOptions> connections,
    IOptions<ManagementOptions> management,
    IOptions<NetworkOptions> network)
{
    public IReadOnlyList<(string SectionName, object Options)> Sections =>
    [
        (OrchestratorOptions.SectionName, orchestrator.Value),
        (EndpointTimeoutOptions.SectionName, timeouts.Value),
        (EventsOptions.SectionName, events.Value),
        (OperationsOptions.SectionName, operations.Value),
        (HeartbeatOptions.SectionName, heartbeat.Value),
        (ShutdownOptions.SectionName, shutdown.Value),
        (StorageOptions.SectionName, storage.Value),
        (ResultsOptions.SectionName, results.Value),
        (ResultStorageOptions.SectionName, resultStorage.Value),
        (ConnectionsOptions.SectionName, connections.Value),
        (ManagementOptions.SectionName, management.Value),
        (NetworkOptions.SectionName, network.Value),
    ];
}
