using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Fleet;

/// <summary>
/// Contract §11 management endpoints through the real agent process: <c>/livez</c>,
/// <c>/readyz</c> and <c>/metrics</c> as Kubernetes and Prometheus call them, and a management
/// URL that cannot be bound.
/// </summary>
public sealed class ManagementEndpointTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly string[] ContractMetrics =
    [
        "egress_operations_total", "egress_operation_duration_seconds_bucket", "egress_operation_duration_seconds_sum",
        "egress_operation_duration_seconds_count", "egress_operations_in_flight", "egress_capacity", "egress_outbox_pending",
        "egress_result_attempts_total", "egress_stream_connected", "egress_stream_reconnects_total", "egress_heartbeats_total",
    ];

    [Fact]
    public async Task While_the_agent_runs_both_probes_answer_200_and_metrics_carry_every_contract_metric_with_the_numbers_of_the_work_done()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Management:Urls", ManagementEndpoint.AnyFreePort));
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        var live = await management.ProbeAsync("/livez");
        var ready = await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("application/json", live.MediaType);
        Assert.Equal("healthy", live.StatusOf("loops"));
        Assert.Empty(ready.Failing);
        Assert.All(new[] { "storage", "orchestrator", "shutdown" }, check => Assert.Equal("healthy", ready.StatusOf(check)));

        for (var i = 0; i < 3; i++)
        {
            await emulator.RunEchoThroughStreamAsync($"t-metrics-{i}", Bound);
        }

        var failed = emulator.Enqueue("/api/v1/agent/execute/builtin/fail", new JsonObject { ["message"] = "on purpose" });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForAcceptedResultAsync(failed, Bound);

        // The attempt is counted when E2 answers, the outbox entry removed just after, and a worker
        // may free its slot after its result was already published: wait for all three.
        var scrape = await management.ScrapeUntilAsync(
            s => s.ValueOrNull("egress_result_attempts_total", ("status", "200")) >= 4
                && s.ValueOrNull("egress_outbox_pending") == 0
                && s.ValueOrNull("egress_operations_in_flight") == 0,
            Bound);
        output.WriteLine(scrape.Text);
        Assert.All(ContractMetrics, name => Assert.True(scrape.Has(name), $"{name} missing from /metrics"));
        Assert.Equal(3, scrape.Value("egress_operations_total", ("outcome", "success")));
        Assert.Equal(1, scrape.Value("egress_operations_total", ("outcome", "error")));
        Assert.Equal("counter", scrape.Types.GetValueOrDefault("egress_operations_total") ?? scrape.Types.GetValueOrDefault("egress_operations"));
        Assert.Equal(3, scrape.Value("egress_operation_duration_seconds_count", ("outcome", "success")));
        Assert.Equal(3, scrape.Value("egress_operation_duration_seconds_bucket", ("outcome", "success"), ("le", "+Inf")));
        Assert.InRange(scrape.Value("egress_operation_duration_seconds_sum", ("outcome", "success")), 0, 30);
        Assert.Equal("histogram", scrape.Types["egress_operation_duration_seconds"]);
        Assert.Equal(0, scrape.Value("egress_operations_in_flight"));
        Assert.Equal(4, scrape.Value("egress_capacity"));
        Assert.Equal(0, scrape.Value("egress_outbox_pending"));
        Assert.Equal(4, scrape.Value("egress_result_attempts_total", ("status", "200")));
        Assert.Equal(1, scrape.Value("egress_stream_connected"));
        Assert.Equal(0, scrape.Value("egress_stream_reconnects_total"));
        Assert.Equal(0, scrape.Value("egress_heartbeats_total")); // never saturated
        Assert.Contains(scrape.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal)); // runtime
        Assert.True(scrape.Has("process_cpu_time_seconds_total") && scrape.Has("process_memory_usage_bytes"), "process metrics missing");
        Assert.Equal("egress-agent", Assert.Single(scrape.Samples, s => s.Name == "target_info").Labels["service_name"]);

        // One source of numbers: the metrics operation reads the same instruments.
        var metricsOperation = emulator.Enqueue("/api/v1/agent/metrics", new JsonObject());
        emulator.SendEvent(new { type = "work_available" });
        var operationText = (await emulator.WaitForAcceptedResultAsync(metricsOperation, Bound)).Result!["__mcd_result__"]!.GetValue<string>();
        Assert.Contains("egress_operations_total{outcome=\"success\"} 3\n", operationText, StringComparison.Ordinal);
        Assert.Contains("egress_operations_total{outcome=\"error\"} 1\n", operationText, StringComparison.Ordinal);
        Assert.Contains("egress_operation_duration_seconds_count{outcome=\"success\"} 3\n", operationText, StringComparison.Ordinal);
        Assert.DoesNotContain(EmulatorCredential.Secret, scrape.Text + operationText, StringComparison.Ordinal);

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task While_a_result_cannot_be_stored_readyz_fails_naming_storage_and_livez_stays_200_then_both_recover()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Management:Urls", ManagementEndpoint.AnyFreePort)
            .Set("Operations:Workers", "2"));
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);
        await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);

        // The tests run as root: a file where the outbox directory should be is what makes it unwritable.
        Directory.Delete(outbox, recursive: true);
        await File.WriteAllTextAsync(outbox, "a file where the outbox directory should be");
        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-readyz-storage" });
        emulator.SendEvent(new { type = "work_available" });
        await agent.WaitForLineAsync(l => l.Contains("Storage degraded", StringComparison.Ordinal), Bound);

        var degraded = await management.ProbeAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, degraded.Status);
        Assert.Equal(["storage"], degraded.Failing);
        Assert.Contains("results cannot be stored", degraded.Description("storage"), StringComparison.Ordinal);
        // What failed, never where: the runtime's message names the outbox's path; that goes to the log only.
        Assert.Contains(
            degraded.Description("storage"),
            new[] { "storage degraded: results cannot be stored (storage: a file stands where a directory should be)", "storage degraded: results cannot be stored (storage: data directory missing or not a directory)" });
        Assert.DoesNotContain(data.Path, degraded.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("/outbox", degraded.Body.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(agent.Lines.Concat(agent.ErrorLines), l => l.Contains(outbox, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await management.ProbeAsync("/livez")).Status); // a restart would not help
        Assert.Equal(1, (await management.ScrapeAsync()).Value("egress_storage_degraded")); // for an alert

        File.Delete(outbox); // storage recovers
        await emulator.WaitForAcceptedResultAsync(id, Bound);
        var recovered = await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);
        Assert.Empty(recovered.Failing);
        Assert.Equal(0, (await management.ScrapeAsync()).Value("egress_storage_degraded"));
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task When_the_orchestrator_has_not_answered_for_ActivityTimeout_readyz_fails_naming_it_and_livez_stays_200()
    {
        var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Management:Urls", ManagementEndpoint.AnyFreePort)
            .Set("Operations:ActivityTimeout", "00:00:04")
            .Set("Operations:PollInterval", "00:00:02")
            .Set("Heartbeat:Interval", "00:00:01"));
        using var management = await ManagementEndpoint.OfAsync(agent, Bound);
        try
        {
            await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
            var ready = await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.OK, Bound);
            Assert.Equal("healthy", ready.StatusOf("orchestrator"));
        }
        finally
        {
            await emulator.DisposeAsync(); // the orchestrator is gone: connections are refused from now on
        }

        var stoppedAt = DateTimeOffset.UtcNow;
        var notReady = await management.ProbeUntilAsync("/readyz", p => p.Status == HttpStatusCode.ServiceUnavailable, Bound);
        var after = DateTimeOffset.UtcNow - stoppedAt;
        output.WriteLine($"/readyz failed {after} after the orchestrator stopped: {notReady.Body.ToJsonString()}");

        Assert.Equal(["orchestrator"], notReady.Failing);
        Assert.Contains("no answer from the orchestrator for", notReady.Description("orchestrator"), StringComparison.Ordinal);
        Assert.Contains("Operations:ActivityTimeout 4 s", notReady.Description("orchestrator"), StringComparison.Ordinal);
        Assert.True(after < TimeSpan.FromSeconds(4 + 10), $"/readyz failed only {after} after the orchestrator stopped");
        Assert.Equal(HttpStatusCode.OK, (await management.ProbeAsync("/livez")).Status); // an outage is no reason to restart

        agent.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
    }

    [Fact]
    public async Task A_management_port_already_in_use_is_exit_2_naming_the_url_and_nothing_is_contacted()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Management:Urls", url));
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(2, exitCode);
        Assert.Contains(agent.ErrorLines, l => l.Contains($"EgressAgent:Management:Urls: cannot listen on {url}", StringComparison.Ordinal)
            && l.Contains("in use", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task A_management_url_that_is_no_listening_address_is_exit_2_listing_it_and_nothing_is_contacted()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();

        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Management:Urls", "https://0.0.0.0:8443"));
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(2, exitCode);
        Assert.Contains(agent.ErrorLines, l => l.Contains("EgressAgent:Management:Urls: 'https://0.0.0.0:8443' is not an http:// address", StringComparison.Ordinal));
        Assert.Empty(emulator.Requests);
    }
}
