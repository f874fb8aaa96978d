namespace EgressAgent.Application.Configuration;

/// <summary>
/// One section of the <c>EgressAgent</c> configuration (docs/protocol.md §8), bound on its own by
/// <c>BindConfiguration</c> and validated by its own FluentValidation validator (docs/adr/0028).
/// </summary>
public interface IAgentOptionsSection
{
    /// <summary>The section's path, e.g. <c>EgressAgent:Events</c>.</summary>
    static abstract string SectionName { get; }
}
