using EgressAgent.Application.Configuration;
using EgressAgent.Infrastructure.Executors.Health;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Support;

/// <summary>Every configuration section with the contract's defaults, for tests that need several.</summary>
internal sealed class AgentSections
{
    public OrchestratorOptions Orchestrator { get; } = new();
    public EndpointTimeoutOptions Timeouts { get; } = new();
    public EventsOptions Events { get; } = new();
    public OperationsOptions Operations { get; } = new();
    public HeartbeatOptions Heartbeat { get; } = new();
    public ShutdownOptions Shutdown { get; } = new();
    public StorageOptions Storage { get; } = new();
    public ResultsOptions Results { get; } = new();
    public ConnectionsOptions Connections { get; } = new();
    public ManagementOptions Management { get; } = new();

    public HealthSettings HealthSettings() => new(
        Options.Create(Orchestrator),
        Options.Create(Timeouts),
        Options.Create(Events),
        Options.Create(Operations),
        Options.Create(Heartbeat),
        Options.Create(Shutdown),
        Options.Create(Storage),
        Options.Create(Results),
        Options.Create(Connections),
        Options.Create(Management));
}
