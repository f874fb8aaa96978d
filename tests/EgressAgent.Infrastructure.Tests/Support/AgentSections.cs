using EgressAgent.Infrastructure.Executors.Health;
using Microsoft.Extensions.Options;

namespace EgressAgent.Tests.Shared;

/// <summary>The sections (tests/Shared/Configuration/AgentSections.cs) as the health executor takes them.</summary>
internal sealed partial class AgentSections
{
    public HealthSettings HealthSettings() => new(
        Options.Create(Orchestrator),
        Options.Create(Timeouts),
        Options.Create(Events),
        Options.Create(Operations),
        Options.Create(Heartbeat),
        Options.Create(Shutdown),
        Options.Create(Storage),
        Options.Create(Results),
        Options.Create(ResultStorage),
        Options.Create(Connections),
        Options.Create(Management),
        Options.Create(Network));
}
