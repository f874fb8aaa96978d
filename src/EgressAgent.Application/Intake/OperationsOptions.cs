using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Intake;

/// <summary><c>EgressAgent:Operations</c>: workers, polling and the activity timeout.</summary>
public sealed class OperationsOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Operations";

    static string IAgentOptionsSection.SectionName => SectionName;

    public int Workers { get; set; } = 8;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
