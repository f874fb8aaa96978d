using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Execution;

/// <summary>
/// <c>EgressAgent:Network</c>: the network diagnostics and the guard every one of them passes
/// (docs/protocol.md §14, docs/adr/0047).
/// </summary>
public sealed class NetworkOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Network";

    /// <summary>The contract's default answer service for <c>outbound_ip_address</c>.</summary>
    public const string DefaultOutboundIpUrl = "https://checkip.amazonaws.com";

    static string IAgentOptionsSection.SectionName => SectionName;

    /// <summary>What <c>outbound_ip_address</c> asks: a service that answers the caller's address as plain text.</summary>
    public string OutboundIpUrl { get; set; } = DefaultOutboundIpUrl;

    /// <summary>
    /// Ranges refused besides the built-in ones, e.g. <c>10.0.0.0/8, 100.64.0.0/10</c>: entries separated by
    /// commas, semicolons or spaces (a JSON array is read too); a bare address is one address.
    /// </summary>
    public string? BlockedCidrs { get; set; }

    /// <summary>Refuses plain <c>http</c> URLs, every redirect included.</summary>
    public bool RequireHttps { get; set; }

    /// <summary>Allows loopback addresses and the name <c>localhost</c>: for tests and local demos, nothing else.</summary>
    public bool AllowLoopback { get; set; }
}
