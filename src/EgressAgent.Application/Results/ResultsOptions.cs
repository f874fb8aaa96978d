using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Results;

/// <summary><c>EgressAgent:Results</c>.</summary>
public sealed class ResultsOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Results";

    static string IAgentOptionsSection.SectionName => SectionName;

    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromDays(1);
}
