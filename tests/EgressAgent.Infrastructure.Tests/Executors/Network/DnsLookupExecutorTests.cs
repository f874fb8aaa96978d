using System.Diagnostics;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Network;
using EgressAgent.Infrastructure.Tests.Network;

namespace EgressAgent.Infrastructure.Tests.Executors.Network;

/// <summary><c>dns</c> (docs/protocol.md §14): every address once, sorted; the contract's failures; bounded.</summary>
public sealed class DnsLookupExecutorTests
{
    private const string Path = "/api/v1/test/network/dns";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeHostResolver _resolver = new();

    [Fact]
    public async Task Every_address_once_sorted_as_text()
    {
        _resolver.Answer("db.test", "10.0.0.9", "10.0.0.10", "2001:db8::1", "10.0.0.9", "192.0.2.1");

        var result = await Run(new JsonObject { ["host"] = "db.test" });

        Assert.Equal("Host db.test resolves to: 10.0.0.10, 10.0.0.9, 192.0.2.1, 2001:db8::1", result["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_loopback_answer_is_shown_not_refused_since_nothing_connects()
    {
        _resolver.Answer("vm.test", "127.0.0.1");

        var result = await Run(new JsonObject { ["host"] = "vm.test" });

        Assert.Equal("Host vm.test resolves to: 127.0.0.1", result["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"host": ""}""")]
    [InlineData("""{"host": null}""")]
    public async Task Without_a_host_it_says_host_is_required(string operation)
    {
        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(JsonNode.Parse(operation)!.AsObject()));

        Assert.Equal(("host is a required parameter", ErrorKinds.InvalidOperation), (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_fails_with_the_resolvers_reason_and_a_full_stop()
    {
        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["host"] = "nowhere.test" }));

        Assert.StartsWith("DNS lookup failed for nowhere.test: ", failed.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("..", failed.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKinds.NetworkCheckFailed, failed.Kind);
    }

    [Fact]
    public async Task A_lookup_that_never_answers_ends_at_the_timeout()
    {
        _resolver.Hang = true;
        var clock = Stopwatch.StartNew();

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["host"] = "slow.test", ["timeout"] = 0.3 }));

        Assert.Equal("DNS lookup failed for slow.test: timed out after 0.3 s.", failed.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_system_resolver_answers_an_address_as_itself()
    {
        var executor = new DnsLookupExecutor(new EgressAgent.Infrastructure.Network.SystemHostResolver(), TimeProvider.System);

        var result = await executor.ExecuteAsync(new OperationContext("op-1", Path, "t-1", new JsonObject { ["host"] = "192.0.2.44" }), CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("Host 192.0.2.44 resolves to: 192.0.2.44", result!["message"]!.GetValue<string>());
    }

    private Task<JsonObject> Run(JsonObject operation) => new DnsLookupExecutor(_resolver, TimeProvider.System).RunOnAsync(Path, operation, Bound);
}
