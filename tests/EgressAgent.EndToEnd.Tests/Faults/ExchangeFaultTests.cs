using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;
using EmulatorWaits = EgressAgent.EndToEnd.Tests.Harness.EmulatorWaits;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Whole exchanges are bounded", one REST endpoint at a time: the real agent behind
/// a <see cref="FaultProxy"/> that stalls or holds the exchange, with short configured timeouts.
/// A fault costs at most the endpoint's timeout and the loop that made the call goes on.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class ExchangeFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task E1_whose_body_stalls_after_the_headers_costs_the_fetch_timeout_and_later_work_is_fetched_and_run()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var stall = proxy.When(ProxiedEndpoints.IsFetch, ProxyFault.StallAfterBodyBytes(8), times: 1);
        // Handed out by the stalled E1: the agent never sees it whole (the orchestrator requeues such work).
        var lost = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "stalled" });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .PollOnlyOncePerMinute()
            .Set("Orchestrator:Timeouts:FetchOperation", "00:00:02"));

        await stall.WaitForMatchesAsync(1, Bound);
        var stalled = proxy.Requests.First(ProxiedEndpoints.IsFetch);
        var failure = await agent.WaitForLineAsync(l => l.Contains("Fetching work failed (TimeoutException", StringComparison.Ordinal), Bound);
        var later = await emulator.RunEchoThroughStreamAsync("after-stall", Bound);

        ProxiedEndpoints.InWindow(AgentLog.TimeOf(failure, stalled.At) - stalled.At, Timeout / 2, Timeout + Slack, "the stalled fetch");
        Assert.Equal("after-stall", later.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == lost);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task E1_envelope_over_16_MiB_is_refused_with_an_error_and_the_poller_goes_on()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var huge = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "huge", ["pad"] = new string('x', 17 * 1024 * 1024) });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.PollOnlyOncePerMinute());

        var refused = await agent.WaitForLineAsync(l => l.Contains("E1 answered a body of", StringComparison.Ordinal), Bound);
        var later = await emulator.RunEchoThroughStreamAsync("after-huge", Bound);

        Assert.Contains("over its limit of 16777216 bytes", refused, StringComparison.Ordinal);
        Assert.Contains(" fail: ", refused, StringComparison.Ordinal); // logged at error level
        Assert.Equal("after-huge", later.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == huge);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task E2_whose_answer_stalls_after_2xx_headers_is_delivered_once_and_not_published_again()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var stall = proxy.When(ProxiedEndpoints.IsResult, ProxyFault.StallAfterHeaders(), times: 1);
        using var data = new TempDirectory();
        await using var agent = await StartPublishingThroughAsync(emulator, proxy, data);

        var first = await emulator.RunEchoThroughStreamAsync("stalled-answer", Bound);
        var unread = await agent.WaitForLineAsync(l => l.Contains($"Result {first.OperationId} was accepted (200) but its answer was unreadable", StringComparison.Ordinal), Bound);
        var second = await emulator.RunEchoThroughStreamAsync("after-stalled-answer", Bound);

        var stalledAt = proxy.Requests.First(ProxiedEndpoints.IsResult).At;
        ProxiedEndpoints.InWindow(AgentLog.TimeOf(unread, stalledAt) - stalledAt, Timeout / 2, Timeout + Slack, "the stalled answer");
        Assert.Equal(1, stall.Matched);
        Assert.Single(emulator.Results, r => r.OperationId == first.OperationId);
        Assert.Single(proxy.Requests, r => ProxiedEndpoints.IsResult(r) && r.Path.Contains(first.OperationId, StringComparison.Ordinal));
        Assert.Single(emulator.Results, r => r.OperationId == second.OperationId);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task E2_attempt_held_half_open_times_out_and_is_retried_and_the_result_is_delivered_exactly_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var hold = proxy.When(ProxiedEndpoints.IsResult, ProxyFault.HalfOpen(), times: 1);
        using var data = new TempDirectory();
        await using var agent = await StartPublishingThroughAsync(emulator, proxy, data);

        var delivered = await emulator.RunEchoThroughStreamAsync("half-open", Bound);
        var second = await emulator.RunEchoThroughStreamAsync("after-half-open", Bound);

        var attempts = proxy.Requests.Where(r => ProxiedEndpoints.IsResult(r) && r.Path.Contains(delivered.OperationId, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(ProxyFaultKind.HalfOpen, attempts[0].Fault.Kind);
        // The retry waits out the timeout and a backoff of at most the first ceiling (1 s).
        ProxiedEndpoints.InWindow(attempts[1].At - attempts[0].At, Timeout / 2, Timeout + TimeSpan.FromSeconds(1) + Slack, "the retry");
        Assert.Equal(1, hold.Matched);
        Assert.Single(emulator.Results, r => r.OperationId == delivered.OperationId);
        Assert.Single(emulator.Results, r => r.OperationId == second.OperationId);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task E3_whose_answer_stalls_while_saturated_costs_the_heartbeat_timeout_and_the_next_beat_still_happens()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var stall = proxy.When(ProxiedEndpoints.IsHeartbeat, ProxyFault.StallAfterHeaders(), times: 1);
        var id = emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(8)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .Set("Operations:Workers", "1")
            .Set("Operations:PollInterval", "00:00:05")
            .Set("Operations:ActivityTimeout", "00:00:10")
            .Set("Heartbeat:Interval", "00:00:02")
            .Set("Orchestrator:Timeouts:Heartbeat", "00:00:01"));

        await stall.WaitForMatchesAsync(1, Bound);
        var stalled = proxy.Requests.First(ProxiedEndpoints.IsHeartbeat);
        var next = await proxy.WaitForRequestAsync(ProxiedEndpoints.IsHeartbeat, 2, Bound);
        var failure = await agent.WaitForLineAsync(l => l.Contains("Heartbeat failed (TimeoutException", StringComparison.Ordinal), Bound);

        // The stalled beat ends at its 1 s timeout; the next is due within the 2 s interval of it.
        ProxiedEndpoints.InWindow(next.At - stalled.At, TimeSpan.FromSeconds(1) / 2, TimeSpan.FromSeconds(2) + Slack, "the next beat");
        ProxiedEndpoints.InWindow(AgentLog.TimeOf(failure, stalled.At) - stalled.At, TimeSpan.FromSeconds(1) / 2, TimeSpan.FromSeconds(1) + Slack, "the stalled beat");
        Assert.Equal(ProxyFaultKind.PassThrough, next.Fault.Kind);
        await emulator.WaitForAcceptedResultAsync(id, Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    public static TheoryData<string> ShutdownNoticeFaults => ["stall after headers", "half-open"];

    [Theory]
    [MemberData(nameof(ShutdownNoticeFaults))]
    public async Task E4_that_stalls_still_lets_the_process_exit_within_the_budget_plus_2s_with_code_0(string fault)
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var stall = proxy.When(ProxiedEndpoints.IsShutdownNotice, fault == "half-open" ? ProxyFault.HalfOpen() : ProxyFault.StallAfterHeaders());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .Set("Shutdown:Budget", "00:00:03"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var signalledAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        agent.Signal(PosixSignal.SIGTERM);
        var exited = ExitWatch.ExitedAtAsync(agent.Id, clock, Bound);
        var exitCode = await agent.WaitForExitAsync(Bound);
        var elapsed = await exited;
        var finished = agent.Lines.FirstOrDefault(l => l.Contains("Shutdown finished", StringComparison.Ordinal));
        output.WriteLine($"exited {elapsed.TotalMilliseconds:0} ms after SIGTERM; the sequence finished after {(finished is null ? "?" : (AgentLog.TimeOf(finished, signalledAt) - signalledAt).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture))} ms");

        Assert.Equal(0, exitCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(3 + 2), $"exited {elapsed.TotalMilliseconds:0} ms after SIGTERM");
        Assert.Equal(1, stall.Matched);
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown notification failed (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task E5_whose_body_stalls_is_tried_again_and_the_operation_ends_in_one_result()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var stall = proxy.When(ProxiedEndpoints.IsDownload, ProxyFault.StallAfterBodyBytes(4), times: 1);
        var id = emulator.EnqueueOversized(Wire.Echo, new JsonObject { ["trace_id"] = "t-stalled-download", ["n"] = 7 });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .Set("Orchestrator:Timeouts:DownloadOperation", "00:00:02"));

        var result = await emulator.WaitForAcceptedResultAsync(id, Bound);

        var downloads = proxy.Requests.Where(ProxiedEndpoints.IsDownload).ToList();
        Assert.Equal(2, downloads.Count);
        ProxiedEndpoints.InWindow(downloads[1].At - downloads[0].At, Timeout / 2, Timeout + Slack, "the second attempt");
        Assert.Equal(1, stall.Matched);
        Assert.Equal("t-stalled-download", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(7, result.Result["__mcd_result__"]!["n"]!.GetValue<int>());
        Assert.Single(emulator.Results, r => r.OperationId == id);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task E5_that_stalls_on_every_attempt_ends_the_operation_in_one_error_result()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        proxy.When(ProxiedEndpoints.IsDownload, ProxyFault.StallAfterHeaders());
        var id = emulator.EnqueueOversized(Wire.Echo, new JsonObject { ["trace_id"] = "t-never-downloaded" });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .Set("Orchestrator:Timeouts:DownloadOperation", "00:00:01"));

        var result = await emulator.WaitForAcceptedResultAsync(id, Bound);

        Assert.Equal(3, proxy.Count(ProxiedEndpoints.IsDownload));
        Assert.Equal("DownloadFailed", result.Result!["__mcd_error_type__"]!.GetValue<string>());
        Assert.Contains("E5 did not complete within", result.Result["__mcd_error__"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(emulator.Results, r => r.OperationId == id);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    /// <summary>
    /// The agent behind <paramref name="proxy"/> for the E2 faults: work comes by the stream (one
    /// poll a minute), results have a 2 s timeout; returned once its stream is open.
    /// </summary>
    private async Task<AgentProcess> StartPublishingThroughAsync(OrchestratorEmulator emulator, FaultProxy proxy, TempDirectory data)
    {
        var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .PollOnlyOncePerMinute()
            .Set("Orchestrator:Timeouts:PublishResult", "00:00:02"));
        try
        {
            await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }
}
