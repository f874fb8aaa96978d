using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EgressAgent.Emulator;

/// <summary>Path segments as the client escaped them.</summary>
internal static class RequestTarget
{
    /// <summary>
    /// Returns the URL-decoded segments after the path prefix. Request.Path cannot be used for
    /// this: the server leaves "%2F" encoded while decoding everything else, so an escaped
    /// operation id such as "a/b" or "50%" could not be recovered from it exactly.
    /// </summary>
    public static string[] Segments(HttpContext context, int prefixSegmentCount)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            raw = context.Request.PathBase.Add(context.Request.Path).ToUriComponent();
        }

        var end = raw.AsSpan().IndexOfAny('?', '#');
        var path = end >= 0 ? raw[..end] : raw;
        if (!path.StartsWith('/') && Uri.TryCreate(path, UriKind.Absolute, out var absolute))
        {
            // Absolute-form request target (a client talking as if to a proxy).
            path = absolute.AbsolutePath;
        }

        var segments = path.Split('/');

        // segments[0] is the empty text before the leading '/'.
        var skip = 1 + prefixSegmentCount;
        if (segments.Length <= skip)
        {
            return [];
        }

        var result = new string[segments.Length - skip];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Uri.UnescapeDataString(segments[i + skip]);
        }

        return result;
    }
}
