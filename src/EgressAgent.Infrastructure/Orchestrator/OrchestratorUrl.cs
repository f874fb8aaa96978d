using EgressAgent.Application.Configuration;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// Builds URLs by appending to the base URL and keeping its path (contract §2):
/// <c>https://host/prefix</c> and <c>https://host/prefix/</c> both give <c>https://host/prefix/stream</c>.
/// </summary>
internal sealed class OrchestratorUrl(IOptions<AgentOptions> options)
{
    /// <summary>The base with exactly one trailing slash, the form relative paths resolve under.</summary>
    public Uri Base { get; } = Normalize(options.Value.Orchestrator.BaseUrl);

    public Uri For(string relativePath) => new(Base, relativePath.TrimStart('/'));

    public static Uri Normalize(string? baseUrl)
    {
        var text = baseUrl ?? throw new InvalidOperationException("EgressAgent:Orchestrator:BaseUrl is not set.");
        return new Uri(text.TrimEnd('/') + "/", UriKind.Absolute);
    }
}
