using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Network;
using Microsoft.Extensions.Logging.Abstractions;

namespace EgressAgent.Infrastructure.Tests.Network;

internal static class TestGuards
{
    public static DestinationGuard For(IHostResolver resolver, bool allowLoopback = false, string? blockedCidrs = null, bool requireHttps = false) =>
        new(resolver, Microsoft.Extensions.Options.Options.Create(Options(allowLoopback, blockedCidrs, requireHttps)), NullLogger<DestinationGuard>.Instance);

    public static NetworkOptions Options(bool allowLoopback = false, string? blockedCidrs = null, bool requireHttps = false, string? outboundIpUrl = null) => new()
    {
        AllowLoopback = allowLoopback,
        BlockedCidrs = blockedCidrs,
        RequireHttps = requireHttps,
        OutboundIpUrl = outboundIpUrl ?? NetworkOptions.DefaultOutboundIpUrl,
    };
}
