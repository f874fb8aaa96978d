using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary><c>EgressAgent:Events</c>: the event stream (docs/protocol.md §5).</summary>
public sealed class EventsOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Events";

    static string IAgentOptionsSection.SectionName => SectionName;

    public bool Enabled { get; set; } = true;
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);
}
