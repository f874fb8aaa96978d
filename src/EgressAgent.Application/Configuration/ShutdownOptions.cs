namespace EgressAgent.Application.Configuration;

/// <summary><c>EgressAgent:Shutdown</c>.</summary>
public sealed class ShutdownOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Shutdown";

    static string IAgentOptionsSection.SectionName => SectionName;

    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(25);
}
