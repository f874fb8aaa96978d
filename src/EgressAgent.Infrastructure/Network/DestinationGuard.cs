using System.Net;
using System.Net.Sockets;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Network;

/// <summary>
/// The one gate of every network check that connects (open, telnet, http and each of its
/// redirects, outbound_ip_address; docs/protocol.md §14, docs/adr/0047): refuses an empty host and
/// <c>localhost</c>, resolves a name once, refuses it when any address is in a blocked range, and
/// hands back the checked addresses — the caller connects to those and never looks the name up again.
/// </summary>
internal sealed partial class DestinationGuard(IHostResolver resolver, IOptions<NetworkOptions> options, ILogger<DestinationGuard> logger)
{
    private const int MaxHostChars = 256;

    private readonly AddressPolicy _policy = AddressPolicy.From(options.Value);

    /// <summary>
    /// The addresses of <paramref name="host"/> (a name, or an address, IPv6 with or without brackets),
    /// every one allowed. Throws <see cref="DestinationBlockedException"/> for a refused destination and
    /// <see cref="HostLookupException"/> when the name does not resolve.
    /// </summary>
    public async Task<CheckedDestination> CheckHostAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim();
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        if (name.Length == 0)
        {
            throw Refused(host, "the host is empty");
        }

        if (!_policy.AllowLoopback && string.Equals(name.TrimEnd('.'), "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw Refused(host, "it is the name localhost");
        }

        var isLiteral = IPAddress.TryParse(name, out var literal);
        var addresses = isLiteral ? [literal!] : await ResolveAsync(name, cancellationToken);
        foreach (var address in addresses)
        {
            if (_policy.BlockedRangeOf(address) is { } range)
            {
                var shown = AddressPolicy.EmbeddedIPv4(address) is { } carried && range.Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork
                    ? $"{address} (IPv4 {carried})"
                    : address.ToString();
                throw Refused(host, isLiteral ? $"{shown} is in {range}" : $"it resolves to {shown}, which is in {range}");
            }
        }

        return new CheckedDestination(name, [.. addresses.Select(AddressPolicy.ConnectableForm).Distinct()]);
    }

    /// <summary>Refuses a URL whose scheme is not http or https, and plain http under <c>Network:RequireHttps</c>.</summary>
    public void CheckScheme(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Scheme == Uri.UriSchemeHttps)
        {
            return;
        }

        if (url.Scheme != Uri.UriSchemeHttp)
        {
            throw Refused(url.Host, $"the scheme {WellFormedText.Excerpt(url.Scheme, 16)} is not http or https");
        }

        if (options.Value.RequireHttps)
        {
            throw Refused(url.Host, "it is plain http and Network:RequireHttps is on");
        }
    }

    private async Task<IPAddress[]> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            // WaitAsync: a resolver that ignores cancellation still cannot hold the check past its timeout.
            addresses = await resolver.ResolveAsync(name, cancellationToken).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            throw new HostLookupException(ex.Message, ex);
        }

        return addresses.Length > 0 ? addresses : throw new HostLookupException("it resolves to no address");
    }

    private DestinationBlockedException Refused(string host, string reason)
    {
        LogRefused(logger, WellFormedText.Excerpt(host, MaxHostChars), reason);
        return new DestinationBlockedException(reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Network check refused destination {Host}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string host, string reason);
}
