using System.Net;

namespace EgressAgent.Infrastructure.Network;

/// <summary>
/// Turns a host name into addresses: the system resolver in the agent, any answer in a test (a metadata
/// address, an IPv4-mapped loopback, a name that changes its answer between two lookups).
/// </summary>
internal interface IHostResolver
{
    /// <summary>Every address <paramref name="host"/> resolves to; throws <see cref="System.Net.Sockets.SocketException"/> when it resolves to none.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
