using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Connectors;

/// <summary><c>EgressAgent:Connections</c>: the named connections, names case-insensitive.</summary>
public sealed class ConnectionsOptions : Dictionary<string, ConnectionOptions>, IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Connections";

    public ConnectionsOptions()
        : base(StringComparer.OrdinalIgnoreCase)
    {
    }

    static string IAgentOptionsSection.SectionName => SectionName;
}
