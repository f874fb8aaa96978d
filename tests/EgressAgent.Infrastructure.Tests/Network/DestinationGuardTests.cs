using EgressAgent.Infrastructure.Network;

namespace EgressAgent.Infrastructure.Tests.Network;

/// <summary>
/// The one gate of every connecting check (docs/protocol.md §14, docs/adr/0047): names refused before
/// any lookup, every resolved address judged, one lookup per check, and the checked addresses handed on.
/// </summary>
public sealed class DestinationGuardTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeHostResolver _resolver = new();

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("[]")]
    public async Task An_empty_host_is_refused(string host)
    {
        var refused = await Assert.ThrowsAsync<DestinationBlockedException>(() => TestGuards.For(_resolver).CheckHostAsync(host, CancellationToken.None));

        Assert.Equal("the host is empty", refused.Message);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LocalHost")]
    [InlineData("localhost.")]
    public async Task The_name_localhost_is_refused_without_a_lookup(string host)
    {
        var refused = await Assert.ThrowsAsync<DestinationBlockedException>(() => TestGuards.For(_resolver).CheckHostAsync(host, CancellationToken.None));

        Assert.Equal("it is the name localhost", refused.Message);
        Assert.Equal(0, _resolver.LookupsOf(host));
    }

    [Theory]
    [InlineData("metadata.test", "169.254.169.254", "it resolves to 169.254.169.254, which is in 169.254.0.0/16 (link-local, cloud metadata)")]
    [InlineData("imds6.test", "fd00:ec2::254", "it resolves to fd00:ec2::254, which is in fd00:ec2::/64 (cloud metadata)")]
    [InlineData("mapped.test", "::ffff:127.0.0.1", "it resolves to ::ffff:127.0.0.1 (IPv4 127.0.0.1), which is in 127.0.0.0/8 (loopback)")]
    [InlineData("loopback.test", "127.0.0.1", "it resolves to 127.0.0.1, which is in 127.0.0.0/8 (loopback)")]
    public async Task A_name_resolving_to_a_refused_address_is_refused(string host, string address, string reason)
    {
        _resolver.Answer(host, address);

        var refused = await Assert.ThrowsAsync<DestinationBlockedException>(() => TestGuards.For(_resolver).CheckHostAsync(host, CancellationToken.None));

        Assert.Equal(reason, refused.Message);
    }

    [Fact]
    public async Task One_refused_address_among_allowed_ones_refuses_the_name()
    {
        _resolver.Answer("mixed.test", "203.0.113.7", "2001:db8::1", "169.254.169.254");

        var refused = await Assert.ThrowsAsync<DestinationBlockedException>(() => TestGuards.For(_resolver).CheckHostAsync("mixed.test", CancellationToken.None));

        Assert.Contains("169.254.169.254", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("169.254.169.254", "169.254.169.254 is in 169.254.0.0/16 (link-local, cloud metadata)")]
    [InlineData("[::1]", "::1 is in ::1/128 (loopback)")]
    [InlineData("::ffff:169.254.169.254", "::ffff:169.254.169.254 (IPv4 169.254.169.254) is in 169.254.0.0/16 (link-local, cloud metadata)")]
    [InlineData("127.1", "127.0.0.1 is in 127.0.0.0/8 (loopback)")]
    public async Task An_address_written_as_the_host_is_judged_without_a_lookup(string host, string reason)
    {
        var refused = await Assert.ThrowsAsync<DestinationBlockedException>(() => TestGuards.For(_resolver).CheckHostAsync(host, CancellationToken.None));

        Assert.Equal(reason, refused.Message);
        Assert.Equal(0, _resolver.LookupsOf(host));
    }

    [Fact]
    public async Task A_configured_range_is_refused()
    {
        _resolver.Answer("internal.test", "10.1.2.3");

        var refused = await Assert.ThrowsAsync<DestinationBlockedException>(() => TestGuards.For(_resolver, blockedCidrs: "10.0.0.0/8").CheckHostAsync("internal.test", CancellationToken.None));

        Assert.Equal("it resolves to 10.1.2.3, which is in 10.0.0.0/8 (Network:BlockedCidrs)", refused.Message);
    }

    [Fact]
    public async Task An_allowed_name_is_resolved_once_and_its_checked_addresses_handed_on_mapped_ones_as_IPv4()
    {
        _resolver.Answer("db.test", "10.0.0.5", "::ffff:10.0.0.6").Answer("db.test", "169.254.169.254");

        var destination = await TestGuards.For(_resolver).CheckHostAsync("db.test", CancellationToken.None);

        Assert.Equal(["10.0.0.5", "10.0.0.6"], destination.Addresses.Select(a => a.ToString()));
        Assert.Equal(1, _resolver.LookupsOf("db.test"));
    }

    [Fact]
    public async Task AllowLoopback_allows_localhost_and_loopback_addresses()
    {
        _resolver.Answer("localhost", "127.0.0.1", "::1");

        var destination = await TestGuards.For(_resolver, allowLoopback: true).CheckHostAsync("localhost", CancellationToken.None);

        Assert.Equal(["127.0.0.1", "::1"], destination.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_a_lookup_failure_not_a_refusal()
    {
        await Assert.ThrowsAsync<HostLookupException>(() => TestGuards.For(_resolver).CheckHostAsync("nowhere.test", CancellationToken.None));
    }

    [Fact]
    public async Task A_lookup_that_never_answers_ends_with_the_cancellation()
    {
        _resolver.Hang = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestGuards.For(_resolver).CheckHostAsync("slow.test", timeout.Token).WaitAsync(Bound));
    }

    [Theory]
    [InlineData("http://service.test/", false, null)]
    [InlineData("https://service.test/", true, null)]
    [InlineData("http://service.test/", true, "it is plain http and Network:RequireHttps is on")]
    [InlineData("ftp://service.test/", false, "the scheme ftp is not http or https")]
    public void Schemes_are_http_and_https_and_only_https_when_required(string url, bool requireHttps, string? reason)
    {
        var guard = TestGuards.For(_resolver, requireHttps: requireHttps);

        var refused = Record.Exception(() => guard.CheckScheme(new Uri(url)));

        Assert.Equal(reason, refused?.Message);
        Assert.True(reason is null || refused is DestinationBlockedException);
    }
}
