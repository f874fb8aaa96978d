using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Lifecycle;

/// <summary><c>EgressAgent:Shutdown</c>.</summary>
public sealed class ShutdownOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Shutdown";

    static string IAgentOptionsSection.SectionName => SectionName;

    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(25);
}
