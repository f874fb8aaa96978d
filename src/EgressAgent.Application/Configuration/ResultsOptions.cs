namespace EgressAgent.Application.Configuration;

/// <summary><c>EgressAgent:Results</c>.</summary>
public sealed class ResultsOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Results";

    static string IAgentOptionsSection.SectionName => SectionName;

    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(1);
}
