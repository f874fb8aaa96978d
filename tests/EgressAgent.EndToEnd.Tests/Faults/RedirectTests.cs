using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;
using EmulatorWaits = EgressAgent.EndToEnd.Tests.Harness.EmulatorWaits;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Redirects are not followed" through the real agent process: a <see cref="FaultProxy"/>
/// answers a 3xx whose <c>Location</c> points at a second loopback origin (<see cref="RecordingOrigin"/>,
/// another port) and carries user info and a query. That origin must receive nothing — no
/// credential, no result, no request at all — and the exchange fails the way a 5xx does: E1 is
/// "no work", E2 is retried to the real endpoint and delivered exactly once, the stream reconnects,
/// <c>check</c> exits 1. Logs name the target as <c>scheme://host:port</c> only (docs/adr/0041).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class RedirectTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>What the Location carries besides the origin: none of it may reach a log line.</summary>
    private static readonly string[] LocationSecrets = ["intruder", "pw-in-location", "query-secret"];

    [Fact]
    public async Task The_rig_catches_a_client_that_follows_redirects_with_the_credential_headers()
    {
        // The fault as found: .NET's default HttpClient follows a 307 elsewhere, x-mcd-* included.
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var elsewhere = RecordingOrigin.Start();
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        proxy.When(ProxiedEndpoints.IsFetch, ProxyFault.Redirect(307, new Uri(elsewhere.BaseUrl, "/api/v1/agent/operation").ToString()));
        using var following = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy.BaseUrl, "api/v1/agent/operation"));
        request.Headers.Add("x-mcd-id", EmulatorCredential.Id);
        request.Headers.Add("x-mcd-token", EmulatorCredential.Secret);

        using var response = await following.SendAsync(request).WaitAsync(Bound);

        var leaked = Assert.Single(elsewhere.Requests);
        Assert.Equal(EmulatorCredential.Secret, leaked.Header("x-mcd-token"));
    }

    [Fact]
    public async Task E1_answered_307_to_another_origin_sends_it_nothing_counts_as_no_work_and_the_work_is_done_once_the_orchestrator_answers()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var elsewhere = RecordingOrigin.Start();
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var redirect = proxy.When(ProxiedEndpoints.IsFetch, ProxyFault.Redirect(307, LocationAt(elsewhere, "/api/v1/agent/operation")), times: 2);
        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "after-redirects" });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Through(proxy).PollOnlyOncePerMinute());
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        // Each work_available wakes a fetch (one poll a minute otherwise): the first two are redirected.
        while (redirect.Matched < 2)
        {
            var fetches = proxy.Count(ProxiedEndpoints.IsFetch);
            emulator.SendEvent(new { type = "work_available" });
            await proxy.WaitForRequestAsync(ProxiedEndpoints.IsFetch, fetches + 1, Bound);
        }

        emulator.SendEvent(new { type = "work_available" });
        var result = await emulator.WaitForAcceptedResultAsync(id, Bound);

        Assert.True(elsewhere.Requests.Count == 0, $"the other origin was sent: {elsewhere.Describe()}");
        Assert.Equal(2, redirect.Matched);
        Assert.Equal("after-redirects", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Single(emulator.Results, r => r.OperationId == id);
        Assert.Equal(2, agent.Lines.Count(l => l.Contains($"E1 answered 307 with Location {elsewhere.BaseUrl.GetLeftPart(UriPartial.Authority)}; the redirect was not followed", StringComparison.Ordinal)));
        Assert.Contains(agent.Lines, l => l.Contains("Fetching work failed (HttpRequestException: E1 answered 307", StringComparison.Ordinal));
        AssertLocationNotLogged(agent);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Theory]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task E2_answered_a_redirect_is_retried_and_delivered_exactly_once_to_the_real_endpoint_never_as_a_GET(int status)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var elsewhere = RecordingOrigin.Start();
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var redirect = proxy.When(ProxiedEndpoints.IsResult, ProxyFault.Redirect(status, LocationAt(elsewhere, "/api/v1/agent/operations/swallowed/result")), times: 1);
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Through(proxy).PollOnlyOncePerMinute());
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var delivered = await emulator.RunEchoThroughStreamAsync($"redirected-{status}", Bound);
        var later = await emulator.RunEchoThroughStreamAsync($"after-redirected-{status}", Bound);

        var attempts = proxy.Requests.Where(r => r.Path.Contains(delivered.OperationId, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("PUT", a.Method));
        Assert.Equal(ProxyFaultKind.Redirect, attempts[0].Fault.Kind);
        Assert.Equal(ProxyFaultKind.PassThrough, attempts[1].Fault.Kind);
        Assert.Equal(1, redirect.Matched);
        Assert.Single(emulator.Results, r => r.OperationId == delivered.OperationId);
        Assert.Single(emulator.Results, r => r.OperationId == later.OperationId);
        Assert.DoesNotContain(proxy.Requests, r => r.Method == "GET" && r.Path.EndsWith("/result", StringComparison.Ordinal));
        Assert.DoesNotContain(emulator.Requests, r => r.Method == "GET" && r.Path.EndsWith("/result", StringComparison.Ordinal));
        Assert.True(elsewhere.Requests.Count == 0, $"the other origin was sent: {elsewhere.Describe()}");
        Assert.Contains(agent.Lines, l => l.Contains($"E2 answered {status} with Location {elsewhere.BaseUrl.GetLeftPart(UriPartial.Authority)}; the redirect was not followed", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains($"Result of {delivered.OperationId} not delivered (status {status}, redirect not followed", StringComparison.Ordinal));
        AssertLocationNotLogged(agent);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task A_stream_connect_answered_307_is_reconnected_to_the_orchestrator_and_the_other_origin_sees_nothing()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var elsewhere = RecordingOrigin.Start();
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var redirect = proxy.When(ProxiedEndpoints.IsStream, ProxyFault.Redirect(307, LocationAt(elsewhere, "/stream")), times: 1);
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .PollOnlyOncePerMinute()
            .Set("Events:MaxReconnectDelay", "00:00:01"));

        await redirect.WaitForMatchesAsync(1, Bound);
        await proxy.WaitForRequestAsync(ProxiedEndpoints.IsStream, 2, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        var result = await emulator.RunEchoThroughStreamAsync("after-redirected-stream", Bound);

        var target = elsewhere.BaseUrl.GetLeftPart(UriPartial.Authority);
        Assert.True(elsewhere.Requests.Count == 0, $"the other origin was sent: {elsewhere.Describe()}");
        Assert.Equal("after-redirected-stream", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Contains(agent.Lines, l => l.Contains($"Event stream connect answered 307 with Location {target}; the redirect was not followed", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains($"Event stream ended: connect answered 307, a redirect to {target} that was not followed; reconnecting in", StringComparison.Ordinal));
        AssertLocationNotLogged(agent);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task Check_answered_307_exits_1_naming_the_redirect_and_the_other_origin_sees_nothing()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var elsewhere = RecordingOrigin.Start();
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var redirect = proxy.When(ProxiedEndpoints.IsPing, ProxyFault.Redirect(307, LocationAt(elsewhere, "/api/v1/test/ping")));
        using var data = new TempDirectory();
        var settings = AgentSettings.For(emulator, data.Path).Through(proxy).Set("Orchestrator:Timeouts:Ping", "00:00:03");

        await using var agent = AgentProcess.Start(settings, output, "check");

        Assert.Equal(1, await agent.WaitForExitAsync(Bound));
        Assert.Equal(1, redirect.Matched);
        Assert.True(elsewhere.Requests.Count == 0, $"the other origin was sent: {elsewhere.Describe()}");
        Assert.Contains(agent.ErrorLines, l => l.Contains("not reachable", StringComparison.Ordinal)
            && l.Contains($"E6 answered 307 Redirect; the redirect to {elsewhere.BaseUrl.GetLeftPart(UriPartial.Authority)} was not followed", StringComparison.Ordinal));
        AssertLocationNotLogged(agent);
    }

    /// <summary>A Location on <paramref name="origin"/> with user info and a query that must never be logged.</summary>
    private static string LocationAt(RecordingOrigin origin, string path) =>
        $"http://intruder:pw-in-location@{origin.BaseUrl.Authority}{path}?sig=query-secret";

    private static void AssertLocationNotLogged(AgentProcess agent)
    {
        foreach (var secret in LocationSecrets)
        {
            Assert.DoesNotContain(agent.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
    }
}
