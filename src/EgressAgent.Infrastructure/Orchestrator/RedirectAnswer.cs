namespace EgressAgent.Infrastructure.Orchestrator;

/// <summary>
/// A <c>3xx</c> from the orchestrator is a failed exchange, never followed (docs/protocol.md §10,
/// docs/adr/0041): the agent's clients do not redirect, and callers use this to tell a redirect
/// apart and to name where it pointed without repeating what the server wrote there.
/// </summary>
internal static class RedirectAnswer
{
    public static bool IsRedirect(HttpResponseMessage response) => (int)response.StatusCode is >= 300 and <= 399;

    /// <summary>
    /// The <c>Location</c> as <c>scheme://host:port</c> only, resolved against the request (a
    /// relative one points at the orchestrator itself): no user info, path or query ever reaches a
    /// log line, since they may hold a token of the other side's. <c>(none)</c> when absent or unreadable.
    /// </summary>
    public static string TargetOrigin(HttpResponseMessage response)
    {
        var location = response.Headers.Location;
        if (location is null)
        {
            return "(none)";
        }

        if (!location.IsAbsoluteUri)
        {
            if (response.RequestMessage?.RequestUri is not { IsAbsoluteUri: true } requestUri
                || !Uri.TryCreate(requestUri, location, out location))
            {
                return "(relative)";
            }
        }

        return OriginOf(location);
    }

    /// <summary><c>scheme://host:port</c> of an absolute URI, the port always written.</summary>
    public static string OriginOf(Uri uri) =>
        uri.GetComponents(UriComponents.Scheme | UriComponents.Host | UriComponents.StrongPort, UriFormat.UriEscaped);

    /// <summary>Whether <paramref name="uri"/> has the scheme, host and port of <paramref name="origin"/>.</summary>
    public static bool IsSameOrigin(Uri uri, Uri origin) =>
        uri.IsAbsoluteUri
        && Uri.Compare(uri, origin, UriComponents.Scheme | UriComponents.Host | UriComponents.StrongPort, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>The failure a redirect is: an <see cref="HttpRequestException"/> carrying the 3xx status.</summary>
    public static HttpRequestException Failure(string endpoint, HttpResponseMessage response) =>
        new($"{endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}; the redirect to {TargetOrigin(response)} was not followed", null, response.StatusCode);
}
