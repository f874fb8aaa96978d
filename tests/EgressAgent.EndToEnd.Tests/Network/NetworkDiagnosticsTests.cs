using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Tests.Shared;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Network;

/// <summary>
/// Contract §14 through the real agent process over loopback: the checks' wire strings, and the SSRF
/// guard — loopback allowed only where the test turns <c>Network:AllowLoopback</c> on, refused
/// otherwise, a name resolving to loopback refused, redirects to blocked addresses refused, every
/// check bounded by its timeout, a body cut at 64 KiB, and no credential header of the agent sent
/// to a diagnosed server (docs/adr/0047).
/// </summary>
public sealed class NetworkDiagnosticsTests(ITestOutputHelper output)
{
    private const string Checks = "/api/v1/test/network/";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task With_loopback_allowed_a_listening_port_is_open_by_open_and_telnet_and_a_closed_one_is_closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closed = UnusedPort();

        var results = await RunAsync(s => s.Set("Network:AllowLoopback", "true"),
            ("open", new JsonObject { ["host"] = "127.0.0.1", ["port"] = open }),
            ("telnet", new JsonObject { ["host"] = "127.0.0.1", ["port"] = open, ["timeout"] = 2 }),
            ("open", new JsonObject { ["host"] = "127.0.0.1", ["port"] = closed, ["timeout"] = 2 }));

        Assert.Equal($"Port {open} is open on 127.0.0.1", Message(results[0]));
        Assert.Equal($"Port {open} is open on 127.0.0.1", Message(results[1]));
        AssertFailure(results[2], $"Port {closed} is closed on 127.0.0.1.", "NetworkCheckFailed");
    }

    [Fact]
    public async Task Without_AllowLoopback_localhost_loopback_and_a_name_resolving_to_loopback_are_refused_and_never_connected_to()
    {
        using var listener = new TcpListener(IPAddress.IPv6Any, 0) { Server = { DualMode = true } };
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var web = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK"));
        output.WriteLine($"{LoopbackName.Name} resolves to {string.Join(", ", LoopbackName.Addresses)}");

        var results = await RunAsync(null,
            ("open", new JsonObject { ["host"] = "localhost", ["port"] = port }),
            ("open", new JsonObject { ["host"] = "127.0.0.1", ["port"] = port }),
            ("telnet", new JsonObject { ["host"] = LoopbackName.Name, ["port"] = port }),
            ("open", new JsonObject { ["host"] = "::ffff:127.0.0.1", ["port"] = port }),
            ("http", new JsonObject { ["url"] = web.BaseUrl.ToString() }),
            ("http", new JsonObject { ["url"] = $"http://{LoopbackName.Name}:{web.Port}/" }));

        AssertFailure(results[0], "Destination localhost is refused: it is the name localhost.", "DestinationBlocked");
        AssertFailure(results[1], "Destination 127.0.0.1 is refused: 127.0.0.1 is in 127.0.0.0/8 (loopback).", "DestinationBlocked");
        AssertFailureStartsWith(results[2], $"Destination {LoopbackName.Name} is refused: it resolves to ", "DestinationBlocked");
        AssertFailure(results[3], "Destination ::ffff:127.0.0.1 is refused: ::ffff:127.0.0.1 (IPv4 127.0.0.1) is in 127.0.0.0/8 (loopback).", "DestinationBlocked");
        AssertFailure(results[4], $"HTTP request failed for {web.BaseUrl}: destination 127.0.0.1 is refused: 127.0.0.1 is in 127.0.0.0/8 (loopback).", "DestinationBlocked");
        AssertFailureStartsWith(results[5], $"HTTP request failed for http://{LoopbackName.Name}:{web.Port}/: destination {LoopbackName.Name} is refused: it resolves to ", "DestinationBlocked");
        Assert.False(listener.Pending(), "a refused destination was connected to");
        Assert.Equal(0, web.Connections);
    }

    [Fact]
    public async Task An_http_redirect_to_the_metadata_address_or_a_configured_blocked_range_is_refused_and_the_target_sees_nothing()
    {
        // Loopback is allowed for the test's own origin; 127.0.0.2, where a server listens, is configured as blocked.
        await using var blockedTarget = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", "internal"), IPAddress.Parse("127.0.0.2"));
        await using var toMetadata = LoopbackHttpServer.Start(LoopbackHttpServer.Redirect(302, "http://169.254.169.254/latest/meta-data/iam/?token=not-shown"));
        await using var toBlocked = LoopbackHttpServer.Start(LoopbackHttpServer.Redirect(307, $"http://127.0.0.2:{blockedTarget.Port}/admin"));

        var results = await RunAsync(s => s.Set("Network:AllowLoopback", "true").Set("Network:BlockedCidrs", "127.0.0.2/32"),
            ("http", new JsonObject { ["url"] = toMetadata.BaseUrl.ToString() }),
            ("http", new JsonObject { ["url"] = toBlocked.BaseUrl.ToString() }),
            ("http", new JsonObject { ["url"] = blockedTarget.BaseUrl.ToString() }));

        AssertFailure(results[0], $"HTTP request failed for {toMetadata.BaseUrl}: the redirect to http://169.254.169.254/latest/meta-data/iam/ is refused: 169.254.169.254 is in 169.254.0.0/16 (link-local, cloud metadata).", "DestinationBlocked");
        AssertFailure(results[1], $"HTTP request failed for {toBlocked.BaseUrl}: the redirect to http://127.0.0.2:{blockedTarget.Port}/admin is refused: 127.0.0.2 is in 127.0.0.2/32 (Network:BlockedCidrs).", "DestinationBlocked");
        AssertFailure(results[2], $"HTTP request failed for {blockedTarget.BaseUrl}: destination 127.0.0.2 is refused: 127.0.0.2 is in 127.0.0.2/32 (Network:BlockedCidrs).", "DestinationBlocked");
        Assert.Equal(0, blockedTarget.Connections);
    }

    [Fact]
    public async Task A_stalled_http_server_costs_the_check_its_timeout_and_the_only_worker_goes_on_to_the_next_operation()
    {
        await using var stalled = LoopbackHttpServer.Start(LoopbackHttpServer.HeadersThenSilence());
        await using var silent = LoopbackHttpServer.Start(LoopbackHttpServer.Silence());

        var clock = Stopwatch.StartNew();
        var results = await RunAsync(s => s.Set("Network:AllowLoopback", "true").Set("Operations:Workers", "1"),
            ("http", new JsonObject { ["url"] = stalled.BaseUrl.ToString(), ["include_response"] = true, ["timeout"] = 2 }),
            ("http", new JsonObject { ["url"] = silent.BaseUrl.ToString(), ["timeout"] = 2 }),
            ("dns", new JsonObject { ["host"] = "127.0.0.1" }));

        AssertFailure(results[0], $"HTTP request failed for {stalled.BaseUrl}: timed out after 2 s.", "NetworkCheckFailed");
        AssertFailure(results[1], $"HTTP request failed for {silent.BaseUrl}: timed out after 2 s.", "NetworkCheckFailed");
        Assert.Equal("Host 127.0.0.1 resolves to: 127.0.0.1", Message(results[2]));
        var first = results[0].At;
        Assert.InRange(results[1].At - first, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4));
        Assert.InRange(results[2].At - results[1].At, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        output.WriteLine($"stalled → silent {results[1].At - first}, silent → dns {results[2].At - results[1].At}, whole run {clock.Elapsed}");
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_cut_and_the_agents_credential_headers_never_reach_the_diagnosed_server()
    {
        await using var big = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", new string('z', 200 * 1024)));
        await using var ipService = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", "198.51.100.23\n"));

        var results = await RunAsync(s => s.Set("Network:AllowLoopback", "true").Set("Network:OutboundIpUrl", ipService.BaseUrl.ToString()),
            ("http", new JsonObject { ["url"] = big.BaseUrl.ToString(), ["include_response"] = "true" }),
            ("http", new JsonObject { ["url"] = big.BaseUrl.ToString() }),
            ("outbound_ip_address", []));

        Assert.Equal($"URL {big.BaseUrl} responded with status: 200 (OK) and content: {new string('z', 64 * 1024)}", Message(results[0]));
        Assert.Equal($"URL {big.BaseUrl} responded with status: 200 (OK)", Message(results[1]));
        Assert.Equal("198.51.100.23", results[2].Result!["__mcd_result__"]!["outbound_ip_address"]!.GetValue<string>());
        foreach (var request in big.Requests.Concat(ipService.Requests))
        {
            Assert.DoesNotContain("x-mcd-", request, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(EmulatorCredential.Secret, request, StringComparison.Ordinal);
            Assert.DoesNotContain(EmulatorCredential.Id, request, StringComparison.Ordinal);
        }

        Assert.Equal(3, big.Requests.Count + ipService.Requests.Count);
    }

    [Fact]
    public async Task Parameter_errors_and_dns_answers_are_the_contracts_wire_strings()
    {
        var results = await RunAsync(null,
            ("open", new JsonObject { ["port"] = 80 }),
            ("open", new JsonObject { ["host"] = "db.internal", ["port"] = "abc" }),
            ("telnet", new JsonObject { ["host"] = "db.internal", ["port"] = 5432, ["timeout"] = "x" }),
            ("dns", []),
            ("http", []),
            ("dns", new JsonObject { ["host"] = LoopbackName.Name }),
            ("dns", new JsonObject { ["host"] = "no-such-host.invalid" }));

        AssertFailure(results[0], "host and port are required parameters", "InvalidOperation");
        AssertFailure(results[1], "Invalid value for port parameter: abc", "InvalidOperation");
        AssertFailure(results[2], "Invalid value for timeout parameter: x", "InvalidOperation");
        AssertFailure(results[3], "host is a required parameter", "InvalidOperation");
        AssertFailure(results[4], "url is a required parameter", "InvalidOperation");
        var expected = string.Join(", ", LoopbackName.Addresses.Select(a => a.ToString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal($"Host {LoopbackName.Name} resolves to: {expected}", Message(results[5]));
        AssertFailureStartsWith(results[6], "DNS lookup failed for no-such-host.invalid: ", "NetworkCheckFailed");
        Assert.EndsWith(".", Error(results[6]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blocked_range_that_is_not_one_is_listed_with_the_other_problems_and_the_exit_code_is_2()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Network:BlockedCidrs", "10.0.0.0/8, 10.0.0/8x")
            .Set("Network:OutboundIpUrl", "checkip")
            .Set("Operations:Workers", "0"));

        Assert.Equal(2, await agent.WaitForExitAsync(Bound));
        Assert.Contains(agent.ErrorLines, l => l.EndsWith("EgressAgent:Network:BlockedCidrs: '10.0.0/8x' is not a CIDR range such as 10.0.0.0/8 or fd00::/8, nor an address.", StringComparison.Ordinal));
        Assert.Contains(agent.ErrorLines, l => l.EndsWith("EgressAgent:Network:OutboundIpUrl must be an absolute http or https URL.", StringComparison.Ordinal));
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Operations:Workers", StringComparison.Ordinal));
        Assert.Empty(emulator.Requests);
    }

    /// <summary>Starts an emulator and the real agent, runs the checks in order, and returns their results in the same order.</summary>
    private async Task<IReadOnlyList<RecordedResult>> RunAsync(Action<AgentSettings>? configure, params (string Check, JsonObject Operation)[] checks)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, configure);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        var ids = checks.Select((c, i) => emulator.Enqueue(Checks + c.Check, c.Operation, $"net-{i + 1}")).ToList();
        emulator.SendEvent(new { type = "work_available" });
        var results = new List<RecordedResult>();
        foreach (var id in ids)
        {
            results.Add(await emulator.WaitForAcceptedResultAsync(id, Bound));
        }

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
        return [.. results.OrderBy(r => ids.IndexOf(r.OperationId))];
    }

    private static string Message(RecordedResult result) =>
        result.Result?["__mcd_result__"]?["message"]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"not a message result: {result.RawBody}");

    private static string Error(RecordedResult result) =>
        result.Result?["__mcd_error__"]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"not an error result: {result.RawBody}");

    private static void AssertFailure(RecordedResult result, string message, string kind)
    {
        Assert.Equal(message, Error(result));
        Assert.Equal(kind, result.Result!["__mcd_error_type__"]!.GetValue<string>());
    }

    private static void AssertFailureStartsWith(RecordedResult result, string prefix, string kind)
    {
        Assert.StartsWith(prefix, Error(result), StringComparison.Ordinal);
        Assert.Equal(kind, result.Result!["__mcd_error_type__"]!.GetValue<string>());
    }

    private static int UnusedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
