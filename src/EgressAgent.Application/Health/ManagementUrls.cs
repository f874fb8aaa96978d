using System.Globalization;
using System.Net;

namespace EgressAgent.Application.Health;

/// <summary>
/// <c>EgressAgent:Management:Urls</c>: <c>;</c>-separated <c>http://host:port</c> addresses. Checked
/// at start so that a typo is exit 2 before anything is contacted; what only binding can tell
/// (a port in use) is exit 2 as well, at start (docs/adr/0024).
/// </summary>
public static class ManagementUrls
{
    /// <summary>The addresses, trimmed; empty when management is off.</summary>
    public static IReadOnlyList<string> Split(string? urls) =>
        string.IsNullOrWhiteSpace(urls)
            ? []
            : urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every problem of every address; none when all can be listened on (as far as text tells).</summary>
    public static IEnumerable<string> Problems(string? urls) =>
        Split(urls).Select(ProblemOf).Where(p => p is not null).Select(p => p!);

    private static string? ProblemOf(string url)
    {
        const string Shape = "use http://<IP address, localhost, * or +>:<port>";
        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{url}' is not an http:// address (the probes are plain HTTP; {Shape}).";
        }

        // Kestrel's wildcard hosts are not URI hosts: check the rest with an address in their place.
        var rest = url["http://".Length..];
        var close = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) : -1;
        var host = close > 0 ? rest[..(close + 1)] : rest.Split(':', '/')[0];
        var checkable = host is "*" or "+" ? "http://0.0.0.0" + rest[host.Length..] : url;
        if (!Uri.TryCreate(checkable, UriKind.Absolute, out var uri)
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath != "/")
        {
            return $"'{url}' is not a listening address ({Shape}).";
        }

        if (host is not ("*" or "+") && !uri.IsLoopback && !IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
        {
            return $"'{url}' names the host '{uri.Host}'; {Shape} (a host name would be bound on every interface).";
        }

        var port = rest[host.Length..].Split('/')[0];
        if (port.Length > 0 && !(port[0] == ':' && int.TryParse(port[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 65535))
        {
            return $"'{url}' has no valid port ({Shape}).";
        }

        return null;
    }
}
