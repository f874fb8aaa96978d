using System.Net.Http.Headers;
using System.Text;
using EgressAgent.Application.Orchestrator;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// Builds URLs by appending to the base URL and keeping its path (docs/protocol.md §2):
/// <c>https://host/prefix</c> and <c>https://host/prefix/</c> both give <c>https://host/prefix/stream</c>.
/// A base URL's user info never becomes part of a request URI — where .NET and logging handlers
/// could print it — but is sent as HTTP Basic credentials (docs/adr/0021).
/// </summary>
internal sealed class OrchestratorUrl(IOptions<OrchestratorOptions> options)
{
    /// <summary>The base with exactly one trailing slash, the form relative paths resolve under; never with user info.</summary>
    public Uri Base { get; } = Normalize(options.Value.BaseUrl);

    /// <summary>The base URL's user info as an <c>Authorization: Basic</c> value; null when it has none.</summary>
    public AuthenticationHeaderValue? BasicCredentials { get; } = BasicCredentialsOf(options.Value.BaseUrl);

    public Uri For(string relativePath) => new(Base, relativePath.TrimStart('/'));

    public static Uri Normalize(string? baseUrl)
    {
        var text = baseUrl ?? throw new InvalidOperationException("EgressAgent:Orchestrator:BaseUrl is not set.");
        var parsed = new Uri(text, UriKind.Absolute);
        if (parsed.UserInfo.Length > 0)
        {
            text = parsed.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
        }

        return new Uri(text.TrimEnd('/') + "/", UriKind.Absolute);
    }

    /// <summary>
    /// <c>user:password</c>, percent-decoded, as Basic credentials: what the reference agent's
    /// HTTP client (Python requests) sent for such a URL, so a proxy that checks them keeps working.
    /// </summary>
    public static AuthenticationHeaderValue? BasicCredentialsOf(string? baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0)
        {
            return null;
        }

        var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
        var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }
}
