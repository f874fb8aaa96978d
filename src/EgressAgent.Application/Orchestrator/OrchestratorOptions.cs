using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Orchestrator;

/// <summary><c>EgressAgent:Orchestrator</c>: where the orchestrator is and how the agent proves who it is.</summary>
public sealed class OrchestratorOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Orchestrator";

    static string IAgentOptionsSection.SectionName => SectionName;

    public string? BaseUrl { get; set; }
    public string? TokenId { get; set; }
    public string? TokenSecret { get; set; }
    public string? TokenFile { get; set; }
    public TimeSpan AuthFailureExitAfter { get; set; } = TimeSpan.FromMinutes(5);
}
