using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Health;

/// <summary><c>EgressAgent:Management</c>: the probe and metrics endpoints (docs/protocol.md §11, docs/adr/0024).</summary>
public sealed class ManagementOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Management";

    static string IAgentOptionsSection.SectionName => SectionName;

    /// <summary>Where <c>/livez</c>, <c>/readyz</c> and <c>/metrics</c> listen, e.g. <c>http://0.0.0.0:8080</c>; several separated by <c>;</c>. Empty: off.</summary>
    public string? Urls { get; set; }
}
