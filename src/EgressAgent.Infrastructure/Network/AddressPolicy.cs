using System.Net;
using System.Net.Sockets;
using EgressAgent.Application.Execution;

namespace EgressAgent.Infrastructure.Network;

/// <summary>
/// Which addresses a network check may connect to (docs/protocol.md §14, docs/adr/0047). Pure: the
/// ranges and the rule, no lookups. An IPv6 address that carries an IPv4 one (IPv4-mapped
/// <c>::ffff:127.0.0.1</c>, IPv4-compatible, 6to4, the NAT64 well-known prefix) is judged as that
/// IPv4 address too: a range of one family never contains an address of the other, and the kernel
/// delivers <c>::ffff:169.254.169.254</c> to the IPv4 metadata service.
/// </summary>
internal sealed class AddressPolicy
{
    private const string LoopbackWhy = "loopback";

    /// <summary>Refused unless <c>Network:AllowLoopback</c>.</summary>
    private static readonly BlockedRange[] Loopback =
    [
        new(IPNetwork.Parse("127.0.0.0/8"), LoopbackWhy),
        new(IPNetwork.Parse("::1/128"), LoopbackWhy),
    ];

    /// <summary>Refused always. Connecting to 0.0.0.0 or :: reaches the local host on Linux, so they count as it, never as loopback that a test may allow.</summary>
    private static readonly BlockedRange[] Always =
    [
        new(IPNetwork.Parse("169.254.0.0/16"), "link-local, cloud metadata"),
        new(IPNetwork.Parse("fe80::/10"), "link-local"),
        new(IPNetwork.Parse("fd00:ec2::/64"), "cloud metadata"),
        new(IPNetwork.Parse("0.0.0.0/8"), "this host"),
        new(IPNetwork.Parse("::/128"), "this host"),
    ];

    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork Ipv4Compatible = IPNetwork.Parse("::/96");

    private readonly BlockedRange[] _ranges;

    public AddressPolicy(bool allowLoopback, IEnumerable<IPNetwork> configured)
    {
        AllowLoopback = allowLoopback;
        _ranges = [.. allowLoopback ? [] : Loopback, .. Always, .. configured.Select(n => new BlockedRange(n, "Network:BlockedCidrs"))];
    }

    public static AddressPolicy From(NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.AllowLoopback, CidrList.Parse(options.BlockedCidrs));
    }

    /// <summary>The name <c>localhost</c> is allowed only with loopback addresses.</summary>
    public bool AllowLoopback { get; }

    /// <summary>The first range holding <paramref name="address"/> or the IPv4 address it carries; null when allowed.</summary>
    public BlockedRange? BlockedRangeOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        foreach (var form in FormsOf(address))
        {
            foreach (var range in _ranges)
            {
                if (range.Contains(form))
                {
                    return range;
                }
            }
        }

        return null;
    }

    /// <summary>The IPv4 address an IPv6 address carries, or null.</summary>
    public static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (SixToFour.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(2, 4));
        }

        if (Nat64.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        // IPv4-compatible (deprecated) ::a.b.c.d; :: and ::1 are in ::/96 too but are themselves, not 0.0.0.0 and 0.0.0.1.
        return Ipv4Compatible.Contains(address) && bytes[12] != 0 ? new IPAddress(bytes.AsSpan(12, 4)) : null;
    }

    /// <summary>Where a socket connects for <paramref name="address"/>: an IPv4-mapped address as plain IPv4, so an IPv4 socket serves it.</summary>
    public static IPAddress ConnectableForm(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private static IEnumerable<IPAddress> FormsOf(IPAddress address)
    {
        yield return address;
        if (EmbeddedIPv4(address) is { } embedded)
        {
            yield return embedded;
        }
    }
}
