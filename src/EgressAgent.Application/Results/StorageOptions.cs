using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Results;

/// <summary><c>EgressAgent:Storage</c>.</summary>
public sealed class StorageOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Storage";

    static string IAgentOptionsSection.SectionName => SectionName;

    public string DataDirectory { get; set; } = "data";
}
