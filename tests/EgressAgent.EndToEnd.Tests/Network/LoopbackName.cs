using System.Net;

namespace EgressAgent.EndToEnd.Tests.Network;

/// <summary>
/// A host name other than <c>localhost</c> that this machine's resolver answers with a loopback
/// address — what an attacker's DNS name pointing at 127.0.0.1 looks like to the agent, found
/// without editing /etc/hosts. The machine's own name does on many hosts (and here); Debian and
/// container images also list <c>ip6-localhost</c>/<c>ip6-loopback</c> for ::1.
/// </summary>
internal static class LoopbackName
{
    private static readonly Lazy<(string Name, IPAddress[] Addresses)> Found = new(Find);

    public static string Name => Found.Value.Name;

    /// <summary>What the resolver answers for <see cref="Name"/>, as the agent's own lookup will.</summary>
    public static IReadOnlyList<IPAddress> Addresses => Found.Value.Addresses;

    private static (string, IPAddress[]) Find()
    {
        string[] candidates = [Dns.GetHostName(), "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6", "localhost6.localdomain6"];
        foreach (var candidate in candidates.Where(c => !string.Equals(c.TrimEnd('.'), "localhost", StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                var addresses = Dns.GetHostAddresses(candidate);
                if (addresses.Any(IPAddress.IsLoopback))
                {
                    return (candidate, addresses);
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Not known here; try the next.
            }
        }

        throw new InvalidOperationException(
            $"No name other than localhost resolves to a loopback address on this machine (tried {string.Join(", ", candidates)}); the refusal of such a name cannot be tested here.");
    }
}
