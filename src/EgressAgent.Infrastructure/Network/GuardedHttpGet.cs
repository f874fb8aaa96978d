using System.Net;
using System.Net.Sockets;

namespace EgressAgent.Infrastructure.Network;

/// <summary>
/// A GET that goes only where the <see cref="DestinationGuard"/> allows (docs/adr/0047): every hop's
/// host is checked and resolved once, and the connection goes to those checked addresses
/// (<see cref="SocketsHttpHandler.ConnectCallback"/>; TLS still names and verifies the URL's host).
/// Redirects are followed here, each one checked, at most <see cref="MaxRedirects"/>. A fresh
/// handler per hop: no pooled connection, proxy, cookie, credential or header of the agent's
/// orchestrator clients is anywhere near it.
/// </summary>
internal sealed class GuardedHttpGet(DestinationGuard guard)
{
    public const int MaxRedirects = 10;

    /// <summary>
    /// The answer after redirects, with up to <paramref name="maxBodyBytes"/> of its body (0: none read).
    /// Throws <see cref="DestinationBlockedException"/> (a redirect's message names its target),
    /// <see cref="HostLookupException"/>, <see cref="HttpRequestException"/> or <see cref="IOException"/>.
    /// </summary>
    public async Task<HttpGetAnswer> GetAsync(Uri url, int maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var current = url;
        for (var redirects = 0; ; redirects++)
        {
            var destination = await CheckAsync(current, redirected: redirects > 0, cancellationToken);
            using var handler = HandlerFor(destination);
            using var invoker = new HttpMessageInvoker(handler);
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            using var response = await invoker.SendAsync(request, cancellationToken);
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (redirects == MaxRedirects)
                {
                    throw new HttpRequestException($"more than {MaxRedirects} redirects");
                }

                current = new Uri(current, location);
                continue;
            }

            var (body, cut) = maxBodyBytes > 0 ? await ReadCappedAsync(response.Content, maxBodyBytes, cancellationToken) : (ReadOnlyMemory<byte>.Empty, false);
            return new HttpGetAnswer((int)response.StatusCode, response.ReasonPhrase ?? string.Empty, body, cut);
        }
    }

    private async Task<CheckedDestination> CheckAsync(Uri url, bool redirected, CancellationToken cancellationToken)
    {
        try
        {
            guard.CheckScheme(url);
            return await guard.CheckHostAsync(url.IdnHost, cancellationToken);
        }
        catch (DestinationBlockedException ex) when (redirected)
        {
            throw new DestinationBlockedException($"the redirect to {Shown(url)} is refused: {ex.Message}", ex);
        }
        catch (DestinationBlockedException ex)
        {
            throw new DestinationBlockedException($"destination {url.IdnHost} is refused: {ex.Message}", ex);
        }
        catch (HostLookupException ex)
        {
            throw new HostLookupException($"{url.IdnHost} did not resolve: {ex.Message}", ex);
        }
    }

    private static SocketsHttpHandler HandlerFor(CheckedDestination destination) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        Credentials = null,
        PreAuthenticate = false,
        AutomaticDecompression = DecompressionMethods.All,
        MaxConnectionsPerServer = 1,
        // The one place this handler connects: to the addresses the guard checked, never to a fresh lookup of the name.
        ConnectCallback = async (context, token) =>
        {
            var socket = await TcpConnector.ConnectAsync(destination.Addresses, context.DnsEndPoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static async Task<(ReadOnlyMemory<byte> Body, bool Cut)> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes];
        var length = 0;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        while (length < maxBytes)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return (buffer.AsMemory(0, length), false);
            }

            length += read;
        }

        // Full: whatever follows is never read. Treated as cut even when the body was exactly this long.
        return (buffer, true);
    }

    /// <summary>A redirect target without user info, query or fragment: a Location may carry secrets of another service.</summary>
    private static string Shown(Uri url) => $"{url.Scheme}://{url.Authority}{url.AbsolutePath}";
}
