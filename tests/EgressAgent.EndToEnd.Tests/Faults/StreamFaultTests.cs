using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;
using EmulatorWaits = EgressAgent.EndToEnd.Tests.Harness.EmulatorWaits;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §4 and §10 on the event stream through a misbehaving network (<see cref="FaultProxy"/>)
/// and with hostile values from the server: every fault ends in a working stream that still wakes
/// the poller (the idle poll is a minute, far beyond every wait here).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class StreamFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxReconnect = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_stream_connect_whose_headers_never_come_is_abandoned_after_the_idle_timeout_and_retried()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var hold = proxy.When(ProxiedEndpoints.IsStream, ProxyFault.HalfOpen(), times: 1);
        using var data = new TempDirectory();
        await using var agent = StartShortTimeouts(emulator, proxy, data);

        await hold.WaitForMatchesAsync(1, Bound);
        var second = await proxy.WaitForRequestAsync(ProxiedEndpoints.IsStream, 2, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        var result = await emulator.RunEchoThroughStreamAsync("after-unanswered-connect", Bound);

        var first = proxy.Requests.First(ProxiedEndpoints.IsStream);
        ProxiedEndpoints.InWindow(second.At - first.At, Idle / 2, Idle + MaxReconnect + Slack, "the second connect");
        Assert.Contains(agent.Lines, l => l.Contains("Event stream ended: connect timed out", StringComparison.Ordinal));
        Assert.Equal("after-unanswered-connect", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task A_stream_stalled_mid_body_is_replaced_after_the_idle_timeout()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var stall = proxy.When(ProxiedEndpoints.IsStream, ProxyFault.StallAfterBodyBytes(5), times: 1);
        using var data = new TempDirectory();
        await using var agent = StartShortTimeouts(emulator, proxy, data);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        emulator.SendEvent(new { type = "heartbeat", ts = 1 }); // cut off after 5 bytes on the wire
        var second = await proxy.WaitForRequestAsync(ProxiedEndpoints.IsStream, 2, Bound);
        await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, 2, Bound);
        var result = await emulator.RunEchoThroughStreamAsync("after-stalled-stream", Bound);

        var first = proxy.Requests.First(ProxiedEndpoints.IsStream);
        ProxiedEndpoints.InWindow(second.At - first.At, Idle / 2, Idle + MaxReconnect + Slack, "the replacement");
        Assert.Equal(1, stall.Matched);
        Assert.Contains(agent.Lines, l => l.Contains("Event stream silent for", StringComparison.Ordinal));
        Assert.Equal("after-stalled-stream", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task A_stream_reset_by_the_network_is_reconnected_at_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        var reset = proxy.When(ProxiedEndpoints.IsStream, ProxyFault.ResetAfterBodyBytes(5), times: 1);
        using var data = new TempDirectory();
        // The default idle timeout (2 min): a reconnect within seconds is the reset's doing.
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .PollOnlyOncePerMinute()
            .Set("Events:MaxReconnectDelay", "00:00:01"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var sentAt = DateTimeOffset.UtcNow;
        emulator.SendEvent(new { type = "heartbeat", ts = 1 }); // the connection is reset 5 bytes into it
        var second = await proxy.WaitForRequestAsync(ProxiedEndpoints.IsStream, 2, Bound);
        await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, 2, Bound);
        var result = await emulator.RunEchoThroughStreamAsync("after-reset", Bound);

        ProxiedEndpoints.InWindow(second.At - sentAt, TimeSpan.Zero, MaxReconnect + Slack, "the reconnect");
        Assert.Equal(1, reset.Matched);
        Assert.Contains(agent.Lines, l => l.Contains("Event stream ended: read failed", StringComparison.Ordinal));
        Assert.Equal("after-reset", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task A_stream_that_drips_a_few_bytes_at_a_time_is_still_parsed()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        await using var proxy = FaultProxy.Start(emulator.BaseUrl, output);
        proxy.When(ProxiedEndpoints.IsStream, ProxyFault.Drip(3, TimeSpan.FromMilliseconds(10)));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Through(proxy).PollOnlyOncePerMinute());
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        // The start-up fetch is over: the next fetch needs a wake-up.
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.OperationPath, Bound);

        emulator.SendEvent(new { type = "welcome", agent_id = "dripped-agent" });
        var result = await emulator.RunEchoThroughStreamAsync("dripped", Bound);

        Assert.Equal("dripped", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Contains(agent.Lines, l => l.Contains("dripped-agent", StringComparison.Ordinal));
        Assert.Equal(1, proxy.Count(ProxiedEndpoints.IsStream));
        Assert.DoesNotContain(agent.Lines, l => l.Contains("Skipped a stream message", StringComparison.Ordinal));
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task A_huge_retry_field_does_not_crash_the_agent_and_the_reconnect_comes_within_the_max_reconnect_delay()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .PollOnlyOncePerMinute()
            .Set("Events:MaxReconnectDelay", "00:00:01"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        emulator.SendRawText("retry: 999999999999\n\n");
        emulator.SendEvent(new { type = "heartbeat", ts = 1 });
        var closedAt = DateTimeOffset.UtcNow;
        emulator.CloseStreams();
        var second = await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, 2, Bound);
        var result = await emulator.RunEchoThroughStreamAsync("after-huge-retry", Bound);

        ProxiedEndpoints.InWindow(second.At - closedAt, TimeSpan.Zero, MaxReconnect + Slack, "the reconnect");
        Assert.False(agent.HasExited, "the agent exited after a huge retry:");
        Assert.Contains(agent.Lines, l => l.Contains("The server asked for a reconnect delay of", StringComparison.Ordinal));
        Assert.Equal("after-huge-retry", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task Ids_with_a_control_character_or_non_ASCII_text_are_ignored_and_the_stream_resumes_after_the_last_good_one()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .PollOnlyOncePerMinute()
            .Set("Events:MaxReconnectDelay", "00:00:01"));
        var first = await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        emulator.SendRawData("{\"type\":\"heartbeat\",\"ts\":1}", eventId: "good-1");
        emulator.SendRawData("{\"type\":\"heartbeat\",\"ts\":2}", eventId: "bad\u0001id");
        emulator.SendRawData("{\"type\":\"heartbeat\",\"ts\":3}", eventId: "naïve-é");
        emulator.CloseStreams();
        var second = await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, 2, Bound);
        var result = await emulator.RunEchoThroughStreamAsync("after-bad-ids", Bound);

        Assert.Null(first.LastEventId);
        Assert.Equal("good-1", second.LastEventId);
        // Each logged escaped (they are replayed after good-1 on the new stream, and ignored again).
        Assert.Contains(agent.Lines, l => l.Contains("Ignored an event id", StringComparison.Ordinal) && l.Contains("\"bad\\u0001id\"", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("Ignored an event id", StringComparison.Ordinal) && l.Contains("\"na\\u00efve-\\u00e9\"", StringComparison.Ordinal));
        Assert.DoesNotContain(agent.Lines, l => l.Contains('\u0001', StringComparison.Ordinal));
        Assert.Equal("after-bad-ids", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    private AgentProcess StartShortTimeouts(OrchestratorEmulator emulator, FaultProxy proxy, TempDirectory data) =>
        AgentProcess.Start(emulator, data, output, s => s
            .Through(proxy)
            .PollOnlyOncePerMinute()
            .Set("Events:IdleTimeout", "00:00:02")
            .Set("Events:MaxReconnectDelay", "00:00:01"));
}
