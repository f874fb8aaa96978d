using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Lifecycle;

/// <summary><c>EgressAgent:Heartbeat</c>.</summary>
public sealed class HeartbeatOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Heartbeat";

    static string IAgentOptionsSection.SectionName => SectionName;

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
