using EgressAgent.Application.Configuration;

namespace EgressAgent.Application.Orchestrator;

/// <summary>
/// <c>EgressAgent:Orchestrator:Timeouts</c>: how long one whole exchange with each endpoint may
/// take — connect, send, response headers and the whole body (docs/protocol.md §3, §10). The defaults
/// are the contract's; raising them is for slow proxies, lowering them for tests (docs/adr/0010).
/// </summary>
public sealed class EndpointTimeoutOptions : IAgentOptionsSection
{
    public const string SectionName = "EgressAgent:Orchestrator:Timeouts";

    static string IAgentOptionsSection.SectionName => SectionName;

    /// <summary>E1.</summary>
    public TimeSpan FetchOperation { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>E2, per attempt.</summary>
    public TimeSpan PublishResult { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>E3.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>E4; the shutdown sequence caps it further with what is left of its budget.</summary>
    public TimeSpan NotifyShutdown { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>E5, per attempt.</summary>
    public TimeSpan DownloadOperation { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>E6 (<c>check</c>).</summary>
    public TimeSpan Ping { get; set; } = TimeSpan.FromSeconds(10);
}
