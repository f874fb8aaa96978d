using EgressAgent.Application.Execution;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Application.Tests.Configuration;

/// <summary><c>EgressAgent:Network</c> (docs/protocol.md §14, docs/adr/0047): every problem listed with the others.</summary>
public sealed class NetworkOptionsValidatorTests
{
    [Fact]
    public void Every_unreadable_blocked_range_is_listed_and_the_readable_ones_pass()
    {
        var problems = AgentSections.Validate(o => o.Network.BlockedCidrs = "10.0.0.0/8, bogus; 100.64.0.0/10 10.0.0.0/33,fd00::/8 203.0.113.7");

        Assert.Equal(
            [
                "EgressAgent:Network:BlockedCidrs: 'bogus' is not a CIDR range such as 10.0.0.0/8 or fd00::/8, nor an address.",
                "EgressAgent:Network:BlockedCidrs: '10.0.0.0/33' is not a CIDR range such as 10.0.0.0/8 or fd00::/8, nor an address.",
            ],
            problems);
    }

    [Fact]
    public void Ranges_are_read_from_any_separator_and_a_bare_address_is_itself_alone()
    {
        var ranges = CidrList.Parse("10.1.2.3/8;fd00:ec2::254\n192.0.2.1");

        Assert.Equal(["10.0.0.0/8", "fd00:ec2::254/128", "192.0.2.1/32"], ranges.Select(r => r.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("checkip.example")]
    [InlineData("ftp://checkip.example")]
    public void An_outbound_ip_url_that_is_not_absolute_http_is_reported(string url)
    {
        var problems = AgentSections.Validate(o => o.Network.OutboundIpUrl = url);

        Assert.Equal(["EgressAgent:Network:OutboundIpUrl must be an absolute http or https URL."], problems);
    }

    [Fact]
    public void A_plain_http_outbound_ip_url_is_reported_when_https_is_required()
    {
        var problems = AgentSections.Validate(o =>
        {
            o.Network.OutboundIpUrl = "http://checkip.example";
            o.Network.RequireHttps = true;
        });

        Assert.Equal(["EgressAgent:Network:OutboundIpUrl must be https while EgressAgent:Network:RequireHttps is true."], problems);
    }

    [Fact]
    public void The_defaults_are_valid_and_refuse_loopback()
    {
        Assert.Empty(AgentSections.Validate());
        var defaults = new NetworkOptions();
        Assert.Equal(("https://checkip.amazonaws.com", false, false, null), (defaults.OutboundIpUrl, defaults.AllowLoopback, defaults.RequireHttps, defaults.BlockedCidrs));
    }
}
