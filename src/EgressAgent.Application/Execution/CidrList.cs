using System.Net;
using System.Net.Sockets;

namespace EgressAgent.Application.Execution;

/// <summary>
/// <c>Network:BlockedCidrs</c> read as ranges (docs/adr/0047): entries separated by commas,
/// semicolons or white space; <c>10.0.0.0/8</c>, <c>fd00::/8</c>, or a bare address for itself alone.
/// Bits past the prefix length are ignored (<c>10.1.2.3/8</c> is <c>10.0.0.0/8</c>).
/// </summary>
public static class CidrList
{
    private static readonly char[] Separators = [',', ';', ' ', '\t', '\r', '\n'];

    /// <summary>Every entry as written, empty ones left out.</summary>
    public static IReadOnlyList<string> Entries(string? list) =>
        list is null ? [] : list.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The ranges of every readable entry; <see cref="Problems"/> names the others.</summary>
    public static IReadOnlyList<IPNetwork> Parse(string? list)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in Entries(list))
        {
            if (TryParse(entry, out var network))
            {
                networks.Add(network);
            }
        }

        return networks;
    }

    /// <summary>One problem per unreadable entry, each naming it and what was expected.</summary>
    public static IEnumerable<string> Problems(string? list) =>
        Entries(list)
            .Where(entry => !TryParse(entry, out _))
            .Select(entry => $"'{entry}' is not a CIDR range such as 10.0.0.0/8 or fd00::/8, nor an address");

    private static bool TryParse(string entry, out IPNetwork network)
    {
        if (!entry.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(entry, out var address)
            && (address.AddressFamily == AddressFamily.InterNetwork || address.ScopeId == 0))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(entry, out network);
    }
}
