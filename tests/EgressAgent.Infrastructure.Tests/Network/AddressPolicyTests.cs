using System.Net;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Tests.Network;

/// <summary>The ranges of docs/protocol.md §14 and the IPv6 forms that carry an IPv4 address (docs/adr/0047).</summary>
public sealed class AddressPolicyTests
{
    private static readonly AddressPolicy Default = new(allowLoopback: false, []);
    private static readonly AddressPolicy LoopbackAllowed = new(allowLoopback: true, []);

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("127.255.1.2", "127.0.0.0/8 (loopback)")]
    [InlineData("::1", "::1/128 (loopback)")]
    [InlineData("169.254.169.254", "169.254.0.0/16 (link-local, cloud metadata)")]
    [InlineData("fe80::1", "fe80::/10 (link-local)")]
    [InlineData("fd00:ec2::254", "fd00:ec2::/64 (cloud metadata)")]
    [InlineData("0.0.0.0", "0.0.0.0/8 (this host)")]
    [InlineData("::", "::/128 (this host)")]
    public void The_contract_ranges_are_refused(string address, string range)
    {
        Assert.Equal(range, Default.BlockedRangeOf(IPAddress.Parse(address))?.ToString());
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("::ffff:169.254.169.254", "169.254.0.0/16 (link-local, cloud metadata)")]
    [InlineData("::127.0.0.1", "127.0.0.0/8 (loopback)")]
    [InlineData("2002:a9fe:a9fe::1", "169.254.0.0/16 (link-local, cloud metadata)")]
    [InlineData("64:ff9b::a9fe:a9fe", "169.254.0.0/16 (link-local, cloud metadata)")]
    public void An_IPv6_address_carrying_a_refused_IPv4_address_is_refused_as_it(string address, string range)
    {
        Assert.Equal(range, Default.BlockedRangeOf(IPAddress.Parse(address))?.ToString());
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("192.168.1.1")]
    [InlineData("203.0.113.7")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:203.0.113.7")]
    [InlineData("64:ff9b::cb00:7107")]
    public void Private_and_public_addresses_are_allowed_by_default(string address)
    {
        Assert.Null(Default.BlockedRangeOf(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1", null)]
    [InlineData("::1", null)]
    [InlineData("::ffff:127.0.0.1", null)]
    [InlineData("169.254.169.254", "169.254.0.0/16 (link-local, cloud metadata)")]
    [InlineData("fd00:ec2::254", "fd00:ec2::/64 (cloud metadata)")]
    [InlineData("0.0.0.0", "0.0.0.0/8 (this host)")]
    public void AllowLoopback_allows_loopback_and_nothing_else(string address, string? range)
    {
        Assert.Equal(range, LoopbackAllowed.BlockedRangeOf(IPAddress.Parse(address))?.ToString());
    }

    [Theory]
    [InlineData("10.20.30.40", "10.0.0.0/8 (Network:BlockedCidrs)")]
    [InlineData("::ffff:10.20.30.40", "10.0.0.0/8 (Network:BlockedCidrs)")]
    [InlineData("fd12::1", "fd00::/8 (Network:BlockedCidrs)")]
    [InlineData("127.0.0.2", "127.0.0.2/32 (Network:BlockedCidrs)")]
    [InlineData("127.0.0.1", null)]
    [InlineData("11.0.0.1", null)]
    public void Configured_ranges_are_refused_even_where_loopback_is_allowed(string address, string? range)
    {
        var policy = AddressPolicy.From(new NetworkOptions { AllowLoopback = true, BlockedCidrs = "10.0.0.0/8, fd00::/8, 127.0.0.2" });

        Assert.Equal(range, policy.BlockedRangeOf(IPAddress.Parse(address))?.ToString());
    }
}
