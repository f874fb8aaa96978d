using EgressAgent.Application.Connectors;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Execution;
using EgressAgent.Application.Health;
using EgressAgent.Application.Intake;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Application.Orchestrator;
using EgressAgent.Application.Results;
using EgressAgent.Application.ResultStorage;

namespace EgressAgent.Tests.Shared;

/// <summary>
/// Every configuration section, with the contract's defaults. Linked into the test projects that
/// need several sections; each adds what it does with them in its own part of this class.
/// </summary>
internal sealed partial class AgentSections
{
    public OrchestratorOptions Orchestrator { get; } = new();
    public EndpointTimeoutOptions Timeouts { get; } = new();
    public EventsOptions Events { get; } = new();
    public OperationsOptions Operations { get; } = new();
    public HeartbeatOptions Heartbeat { get; } = new();
    public ShutdownOptions Shutdown { get; } = new();
    public StorageOptions Storage { get; } = new();
    public ResultsOptions Results { get; } = new();
    public ResultStorageOptions ResultStorage { get; } = new();
    public ConnectionsOptions Connections { get; } = new();
    public ConnectorsOptions Connectors { get; } = new();
    public ManagementOptions Management { get; } = new();
    public NetworkOptions Network { get; } = new();
}
