using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Network;
using EgressAgent.Infrastructure.Network;
using EgressAgent.Infrastructure.Tests.Network;
using EgressAgent.Tests.Shared;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Tests.Executors.Network;

/// <summary><c>outbound_ip_address</c> (docs/protocol.md §14): <c>Network:OutboundIpUrl</c>'s answer, through the same guard.</summary>
public sealed class OutboundIpAddressExecutorTests
{
    private const string Path = "/api/v1/test/network/outbound_ip_address";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly FakeHostResolver _resolver = new();

    [Fact]
    public async Task The_services_answer_is_the_outbound_address()
    {
        await using var service = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", "203.0.113.7\n"));

        var result = await Run(service.BaseUrl.ToString(), allowLoopback: true);

        Assert.Equal("""{"outbound_ip_address":"203.0.113.7"}""", result.ToJsonString());
    }

    [Fact]
    public async Task The_service_is_refused_like_any_destination()
    {
        await using var service = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", "203.0.113.7"));

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(service.BaseUrl.ToString(), allowLoopback: false));

        Assert.Equal(
            ($"Could not get the outbound IP address from {service.BaseUrl}: destination 127.0.0.1 is refused: 127.0.0.1 is in 127.0.0.0/8 (loopback).", ErrorKinds.DestinationBlocked),
            (failed.Message, failed.Kind));
        Assert.Equal(0, service.Connections);
    }

    [Theory]
    [InlineData(200, "<html>hello</html>", "its answer is not an IP address: <html>hello</html>.")]
    [InlineData(503, "203.0.113.7", "it answered 503 (Unavailable).")]
    public async Task An_answer_that_is_not_an_address_is_a_failure(int status, string body, string reason)
    {
        await using var service = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(status, status == 200 ? "OK" : "Unavailable", body));

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(service.BaseUrl.ToString(), allowLoopback: true));

        Assert.Equal(($"Could not get the outbound IP address from {service.BaseUrl}: {reason}", ErrorKinds.NetworkCheckFailed), (failed.Message, failed.Kind));
    }

    private Task<JsonObject> Run(string url, bool allowLoopback) =>
        new OutboundIpAddressExecutor(
            new GuardedHttpGet(TestGuards.For(_resolver, allowLoopback)),
            Options.Create(TestGuards.Options(allowLoopback, outboundIpUrl: url)),
            TimeProvider.System)
        .RunOnAsync(Path, [], Bound);
}
