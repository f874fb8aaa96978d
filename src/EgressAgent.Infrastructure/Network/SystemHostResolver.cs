using System.Net;

namespace EgressAgent.Infrastructure.Network;

/// <summary>The operating system's resolver (<c>getaddrinfo</c>: /etc/hosts, then DNS), as every other lookup of the agent.</summary>
internal sealed class SystemHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
