namespace EgressAgent.Tests.Shared;

/// <summary>A URL's query as the signature checks read it.</summary>
public static class UrlQuery
{
    /// <summary>The query parameters of <paramref name="url"/>, decoded.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : string.Empty, StringComparer.Ordinal);
    }
}
