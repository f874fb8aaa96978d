using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Operations;
using EgressAgent.Infrastructure.Executors.Network;
using EgressAgent.Infrastructure.Network;
using EgressAgent.Infrastructure.Tests.Network;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Executors.Network;

/// <summary>
/// <c>http</c> (docs/protocol.md §14) against loopback origins: the answer's wording, the 64 KiB cap,
/// every redirect through the guard, the connection to the checked address, the timeout over the whole exchange.
/// </summary>
public sealed class HttpCheckExecutorTests
{
    private const string Path = "/api/v1/test/network/http";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly FakeHostResolver _resolver = new();

    [Fact]
    public async Task The_status_and_the_servers_reason_phrase_are_the_answer()
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(418, "Short and stout", "tea"));

        var result = await Run(new JsonObject { ["url"] = server.BaseUrl.ToString() });

        Assert.Equal($"URL {server.BaseUrl} responded with status: 418 (Short and stout)", result);
    }

    [Fact]
    public async Task The_url_is_echoed_without_its_user_info_or_query()
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK"));
        var url = $"http://diag-user:pw-in-url@127.0.0.1:{server.Port}/status?token=query-secret";

        var result = await Run(new JsonObject { ["url"] = url });

        Assert.Equal($"URL http://127.0.0.1:{server.Port}/status responded with status: 200 (OK)", result);
    }

    [Theory]
    [InlineData(true)]
    [InlineData("true")]
    public async Task Include_response_adds_the_body(object includeResponse)
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", "hello, agent"));

        var result = await Run(new JsonObject { ["url"] = server.BaseUrl.ToString(), ["include_response"] = JsonValue.Create(includeResponse) });

        Assert.Equal($"URL {server.BaseUrl} responded with status: 200 (OK) and content: hello, agent", result);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_cut_at_64_KiB()
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", new string('a', 100 * 1024)));

        var result = await Run(new JsonObject { ["url"] = server.BaseUrl.ToString(), ["include_response"] = true });

        var content = result[result.IndexOf(" and content: ", StringComparison.Ordinal)..][" and content: ".Length..];
        Assert.Equal(new string('a', 64 * 1024), content);
    }

    [Fact]
    public async Task A_character_the_cap_cuts_in_two_is_left_out_rather_than_garbled()
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", new string('a', (64 * 1024) - 1) + "é and more"));

        var result = await Run(new JsonObject { ["url"] = server.BaseUrl.ToString(), ["include_response"] = true });

        Assert.EndsWith(" and content: " + new string('a', (64 * 1024) - 1), result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_include_response_a_body_that_never_comes_is_not_waited_for()
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.HeadersThenSilence());

        var result = await Run(new JsonObject { ["url"] = server.BaseUrl.ToString(), ["timeout"] = 5 });

        Assert.Equal($"URL {server.BaseUrl} responded with status: 200 (OK)", result);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_server_that_stalls_costs_the_timeout_headers_or_body(bool headersFirst)
    {
        await using var server = LoopbackHttpServer.Start(headersFirst ? LoopbackHttpServer.HeadersThenSilence() : LoopbackHttpServer.Silence());
        var clock = Stopwatch.StartNew();

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() =>
            Run(new JsonObject { ["url"] = server.BaseUrl.ToString(), ["timeout"] = 0.5, ["include_response"] = true }));

        Assert.Equal(($"HTTP request failed for {server.BaseUrl}: timed out after 0.5 s.", ErrorKinds.NetworkCheckFailed), (failed.Message, failed.Kind));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.45), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_redirect_to_the_metadata_address_is_refused_before_anything_connects()
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Redirect(302, "http://169.254.169.254/latest/meta-data/?token=never-shown"));

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["url"] = server.BaseUrl.ToString() }));

        Assert.Equal(
            ($"HTTP request failed for {server.BaseUrl}: the redirect to http://169.254.169.254/latest/meta-data/ is refused: 169.254.169.254 is in 169.254.0.0/16 (link-local, cloud metadata).", ErrorKinds.DestinationBlocked),
            (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task A_redirect_to_a_name_resolving_to_a_configured_range_is_refused_and_that_origin_sees_nothing()
    {
        // Loopback is allowed (the test's origin), 127.0.0.2 is configured as blocked: a server listens there.
        await using var target = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK", "internal"), IPAddress.Parse("127.0.0.2"));
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Redirect(307, $"http://internal.test:{target.Port}/admin?key=never-shown"));
        _resolver.Answer("internal.test", "127.0.0.2");

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["url"] = server.BaseUrl.ToString() }, blockedCidrs: "127.0.0.2/32"));

        Assert.Equal(
            ($"HTTP request failed for {server.BaseUrl}: the redirect to http://internal.test:{target.Port}/admin is refused: it resolves to 127.0.0.2, which is in 127.0.0.2/32 (Network:BlockedCidrs).", ErrorKinds.DestinationBlocked),
            (failed.Message, failed.Kind));
        Assert.Equal(0, target.Connections);
    }

    [Fact]
    public async Task Allowed_redirects_are_followed_and_the_last_answer_is_reported_without_the_agents_headers()
    {
        await using var target = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(204, "No Content"));
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Redirect(301, new Uri(target.BaseUrl, "/moved").ToString()));

        var result = await Run(new JsonObject { ["url"] = server.BaseUrl.ToString() });

        Assert.Equal($"URL {server.BaseUrl} responded with status: 204 (No Content)", result);
        var request = Assert.Single(target.Requests);
        Assert.StartsWith("GET /moved HTTP/1.1", request, StringComparison.Ordinal);
        Assert.DoesNotContain("x-mcd-", request, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_redirect_loop_stops_after_ten_redirects()
    {
        LoopbackHttpServer? server = null;
        await using var loop = server = LoopbackHttpServer.Start((head, connection, stop) => LoopbackHttpServer.Redirect(302, server!.BaseUrl.ToString())(head, connection, stop));

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["url"] = server.BaseUrl.ToString() }));

        Assert.Equal($"HTTP request failed for {server.BaseUrl}: more than 10 redirects.", failed.Message);
        Assert.Equal(11, server.Requests.Count);
    }

    [Fact]
    public async Task The_connection_goes_to_the_checked_address_and_the_request_names_the_urls_host()
    {
        // The system resolver knows no service.test; the second answer is what a rebinding would say.
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK"));
        _resolver.Answer("service.test", "127.0.0.1").Answer("service.test", "169.254.169.254");

        var result = await Run(new JsonObject { ["url"] = $"http://service.test:{server.Port}/health" });

        Assert.Equal($"URL http://service.test:{server.Port}/health responded with status: 200 (OK)", result);
        Assert.Contains($"Host: service.test:{server.Port}", Assert.Single(server.Requests), StringComparison.Ordinal);
        Assert.Equal(1, _resolver.LookupsOf("service.test"));
    }

    [Theory]
    [InlineData("http://localhost:1/", "HTTP request failed for http://localhost:1/: destination localhost is refused: it is the name localhost.")]
    [InlineData("http://127.0.0.1:1/", "HTTP request failed for http://127.0.0.1:1/: destination 127.0.0.1 is refused: 127.0.0.1 is in 127.0.0.0/8 (loopback).")]
    [InlineData("http://[::ffff:169.254.169.254]/", "HTTP request failed for http://[::ffff:169.254.169.254]/: destination ::ffff:169.254.169.254 is refused: ::ffff:169.254.169.254 (IPv4 169.254.169.254) is in 169.254.0.0/16 (link-local, cloud metadata).")]
    public async Task A_refused_url_is_never_requested(string url, string message)
    {
        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["url"] = url }, allowLoopback: false));

        Assert.Equal((message, ErrorKinds.DestinationBlocked), (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task RequireHttps_refuses_plain_http()
    {
        await using var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK"));

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["url"] = server.BaseUrl.ToString() }, requireHttps: true));

        Assert.Equal($"HTTP request failed for {server.BaseUrl}: destination 127.0.0.1 is refused: it is plain http and Network:RequireHttps is on.", failed.Message);
        Assert.Equal(0, server.Connections);
    }

    [Theory]
    [InlineData("{}", "url is a required parameter")]
    [InlineData("""{"url": "  "}""", "url is a required parameter")]
    [InlineData("""{"url": "not a url"}""", "HTTP request failed for not a url: it is not an absolute http or https URL.")]
    [InlineData("""{"url": "ftp://files.example/"}""", "HTTP request failed for ftp://files.example/: it is not an absolute http or https URL.")]
    [InlineData("""{"url": "https://x.example/", "timeout": "later"}""", "Invalid value for timeout parameter: later")]
    public async Task Parameter_errors(string operation, string message)
    {
        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(JsonNode.Parse(operation)!.AsObject()));

        Assert.Equal((message, ErrorKinds.InvalidOperation), (failed.Message, failed.Kind));
    }

    [Fact]
    public async Task A_refused_connection_is_a_failure_with_the_reason()
    {
        var server = LoopbackHttpServer.Start(LoopbackHttpServer.Answer(200, "OK"));
        var url = server.BaseUrl.ToString();
        await server.DisposeAsync();

        var failed = await Assert.ThrowsAsync<OperationFailedException>(() => Run(new JsonObject { ["url"] = url }));

        Assert.StartsWith($"HTTP request failed for {url}: Connection refused", failed.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", failed.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKinds.NetworkCheckFailed, failed.Kind);
    }

    [Fact]
    public void The_body_text_is_UTF8_with_replacements_for_bad_bytes()
    {
        var answer = new HttpGetAnswer(200, "OK", new byte[] { 0x68, 0xFF, 0x69 }, BodyCut: false);

        Assert.Equal("h\uFFFDi", answer.BodyText());
        Assert.Equal("é", new HttpGetAnswer(200, "OK", Encoding.UTF8.GetBytes("é"), BodyCut: false).BodyText());
    }

    private async Task<string> Run(JsonObject operation, bool allowLoopback = true, string? blockedCidrs = null, bool requireHttps = false)
    {
        var guard = TestGuards.For(_resolver, allowLoopback, blockedCidrs, requireHttps);
        var result = await new HttpCheckExecutor(new GuardedHttpGet(guard), TimeProvider.System).RunOnAsync(Path, operation, Bound);
        return result["message"]!.GetValue<string>();
    }
}
