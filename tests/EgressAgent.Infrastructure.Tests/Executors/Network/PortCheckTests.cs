using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Network;
using EgressAgent.Infrastructure.Tests.Network;

namespace EgressAgent.Infrastructure.Tests.Executors.Network;

/// <summary><c>open</c> and <c>telnet</c> (docs/protocol.md §14): the messages, the parameter errors, the guard, the bound.</summary>
public sealed class PortCheckTests : IDisposable
{
    private const string Open = "/api/v1/test/network/open";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly FakeHostResolver _resolver = new();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public PortCheckTests() => _listener.Start();

    private int ListeningPort => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData(Open)]
    [InlineData("/api/v1/test/network/telnet")]
    public async Task A_listening_port_is_open(string path)
    {
        var result = await Run(path, new JsonObject { ["host"] = "127.0.0.1", ["port"] = ListeningPort }, allowLoopback: true);

        Assert.Equal($"Port {ListeningPort} is open on 127.0.0.1", result["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_port_nothing_listens_on_is_closed_with_the_full_stop()
    {
        var port = ListeningPort;
        _listener.Stop();

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(Open, new JsonObject { ["host"] = "127.0.0.1", ["port"] = port }, allowLoopback: true));

        Assert.Equal(($"Port {port} is closed on 127.0.0.1.", ErrorKinds.NetworkCheckFailed), (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task The_connection_goes_to_the_address_the_guard_checked_and_the_name_is_looked_up_once()
    {
        // The system resolver knows no db.test: only the checked answer can have reached the listener.
        // A second lookup would answer the metadata address, as a DNS rebinding would.
        _resolver.Answer("db.test", "127.0.0.1").Answer("db.test", "169.254.169.254");

        var result = await Run(Open, new JsonObject { ["host"] = "db.test", ["port"] = ListeningPort }, allowLoopback: true);

        Assert.Equal($"Port {ListeningPort} is open on db.test", result["message"]!.GetValue<string>());
        Assert.Equal(1, _resolver.LookupsOf("db.test"));
    }

    [Theory]
    [InlineData("localhost", "Destination localhost is refused: it is the name localhost.")]
    [InlineData("127.0.0.1", "Destination 127.0.0.1 is refused: 127.0.0.1 is in 127.0.0.0/8 (loopback).")]
    [InlineData("loopback.test", "Destination loopback.test is refused: it resolves to 127.0.0.1, which is in 127.0.0.0/8 (loopback).")]
    [InlineData("metadata.test", "Destination metadata.test is refused: it resolves to 169.254.169.254, which is in 169.254.0.0/16 (link-local, cloud metadata).")]
    public async Task A_refused_destination_is_never_connected_to_even_when_its_port_is_open(string host, string message)
    {
        _resolver.Answer("loopback.test", "127.0.0.1").Answer("metadata.test", "169.254.169.254");

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(Open, new JsonObject { ["host"] = host, ["port"] = ListeningPort }));

        Assert.Equal((message, ErrorKinds.DestinationBlocked), (failed.Message, failed.Kind));
        Assert.False(_listener.Pending());
    }

    [Theory]
    [InlineData("""{"port": 80}""", "host and port are required parameters")]
    [InlineData("""{"host": "db", "port": null}""", "host and port are required parameters")]
    [InlineData("""{"host": "", "port": 80}""", "host and port are required parameters")]
    [InlineData("""{"host": "db", "port": ""}""", "host and port are required parameters")]
    [InlineData("""{"host": 42, "port": 80}""", "host and port are required parameters")]
    [InlineData("""{"host": "db", "port": "abc"}""", "Invalid value for port parameter: abc")]
    [InlineData("""{"host": "db", "port": 70000}""", "Invalid value for port parameter: 70000")]
    [InlineData("""{"host": "db", "port": 0}""", "Invalid value for port parameter: 0")]
    [InlineData("""{"host": "db", "port": 80.5}""", "Invalid value for port parameter: 80.5")]
    [InlineData("""{"host": "db", "port": true}""", "Invalid value for port parameter: true")]
    [InlineData("""{"host": "db", "port": 80, "timeout": "soon"}""", "Invalid value for timeout parameter: soon")]
    [InlineData("""{"host": "db", "port": 80, "timeout": 0}""", "Invalid value for timeout parameter: 0")]
    [InlineData("""{"host": "db", "port": 80, "timeout": 301}""", "Invalid value for timeout parameter: 301")]
    public async Task Parameter_errors_are_worded_as_the_contract_words_them(string operation, string message)
    {
        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(Open, JsonNode.Parse(operation)!.AsObject()));

        Assert.Equal((message, ErrorKinds.InvalidOperation), (failed.Message, failed.Kind));
        Assert.Equal(0, _resolver.LookupsOf("db"));
    }

    [Fact]
    public async Task Port_and_timeout_as_numeric_strings_are_read_as_the_reference_agent_reads_them()
    {
        var result = await Run(Open, new JsonObject { ["host"] = "127.0.0.1", ["port"] = ListeningPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ["timeout"] = "2" }, allowLoopback: true);

        Assert.Equal($"Port {ListeningPort} is open on 127.0.0.1", result["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"host": "db", "port": 5432}""", 5)]
    [InlineData("""{"host": "db", "port": 5432, "timeout": 2.5}""", 2.5)]
    [InlineData("""{"host": "db", "port": 5432, "timeout": "7"}""", 7)]
    [InlineData("""{"host": "db", "port": 5432, "timeout": "soon"}""", 5)]
    public void The_runner_is_told_the_check_timeout_with_its_default(string operation, double seconds)
    {
        var executor = new OpenPortExecutor(new PortCheck(TestGuards.For(_resolver), TimeProvider.System));

        Assert.Equal(TimeSpan.FromSeconds(seconds), executor.TimeoutOf(JsonNode.Parse(operation)!.AsObject()));
    }

    [Fact]
    public async Task A_lookup_that_never_answers_ends_the_check_at_its_timeout()
    {
        _resolver.Hang = true;
        var clock = Stopwatch.StartNew();

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(Open, new JsonObject { ["host"] = "slow.test", ["port"] = 80, ["timeout"] = 0.3 }));

        Assert.Equal(("DNS lookup failed for slow.test: timed out after 0.3 s.", ErrorKinds.NetworkCheckFailed), (failed.Message, failed.Kind));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_operations_own_cancellation_escapes_and_is_not_taken_for_a_closed_port()
    {
        _resolver.Hang = true;
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Open, new JsonObject { ["host"] = "slow.test", ["port"] = 80 }, cancellationToken: shutdown.Token));
    }

    private Task<JsonObject> Run(string path, JsonObject operation, bool allowLoopback = false, CancellationToken cancellationToken = default)
    {
        var check = new PortCheck(TestGuards.For(_resolver, allowLoopback), TimeProvider.System);
        IOperationExecutor executor = path == Open ? new OpenPortExecutor(check) : new TelnetExecutor(check);
        return executor.RunOnAsync(path, operation, Bound, cancellationToken);
    }
}
