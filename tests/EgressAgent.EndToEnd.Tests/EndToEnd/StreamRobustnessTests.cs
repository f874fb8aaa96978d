using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>The event stream against a misbehaving server (docs/protocol.md §4): nothing it sends stops the agent.</summary>
public sealed class StreamRobustnessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>An idle poll far beyond every wait below: whatever work is picked up was woken by the stream.</summary>
    private static void PollOnlyOncePerMinute(AgentSettings settings) =>
        settings.Set("Operations:PollInterval", "00:01:00").Set("Operations:ActivityTimeout", "00:02:00");

    [Fact]
    public async Task Malformed_messages_are_skipped_with_warnings_and_a_later_work_available_still_wakes_the_poller()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, PollOnlyOncePerMinute);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        // The start-up fetch is over: the next fetch needs a wake-up.
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.OperationPath, Bound);

        emulator.SendRawData("not json");
        emulator.SendRawData("[1,2]");
        emulator.SendRawData("{\"no_type\":1}");
        emulator.SendRawData("{\"type\":\"mystery\"}");
        emulator.SendRawData("{\"type\":\"welcome\",\"agent_id\":5}");
        emulator.SendRawData(new string('x', 1 << 20));
        var result = await emulator.RunEchoThroughStreamAsync("after-garbage", Bound);

        Assert.Equal("after-garbage", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.False(agent.HasExited, "the agent exited after malformed stream data");
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        var skipped = agent.Lines.Where(l => l.Contains("Skipped a stream message", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, skipped.Count);
        Assert.Contains(agent.Lines, l => l.Contains("unknown type 'mystery'", StringComparison.Ordinal));
        // The 1 MiB message is logged truncated, not whole.
        Assert.All(agent.Lines, l => Assert.True(l.Length < 4096, $"a log line of {l.Length} chars"));
    }

    [Fact]
    public async Task Goodbye_with_a_non_string_reason_exits_zero_with_reason_unknown()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        emulator.SendEvent(new JsonObject { ["type"] = "goodbye", ["reason"] = 42 });

        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown started by Goodbye (unknown)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stream_closed_by_the_server_is_resumed_with_the_last_event_id_and_still_wakes_the_poller()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s =>
        {
            PollOnlyOncePerMinute(s);
            s.Set("Events:MaxReconnectDelay", "00:00:01");
        });
        var first = await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.OperationPath, Bound);

        emulator.SendEvent(new { type = "heartbeat", ts = 1 }, eventId: "evt-1");
        emulator.SendEvent(new { type = "heartbeat", ts = 2 }, eventId: "evt-2");
        emulator.SendEvent(new { type = "heartbeat", ts = 3 }, eventId: "evt-3");
        // Ends after the queued events: the agent reads all three, then the end of the stream.
        emulator.CloseStreams();
        var second = await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, 2, Bound);
        var result = await emulator.RunEchoThroughStreamAsync("after-resume", Bound);

        Assert.Null(first.LastEventId);
        Assert.Equal("evt-3", second.LastEventId);
        Assert.Equal("after-resume", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task A_silent_stream_is_replaced_after_the_idle_timeout_by_exactly_one_new_connection()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.StreamSilent = true;
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Events:IdleTimeout", "00:00:02")
            .Set("Events:MaxReconnectDelay", "00:00:01"));

        var first = await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        // Idle timeout (2 s) plus at most one reconnect delay (1 s), with room for a busy machine.
        var second = await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, 2, TimeSpan.FromSeconds(10));

        var gap = second.At - first.At;
        output.WriteLine($"second stream {gap.TotalMilliseconds:0} ms after the first");
        Assert.True(gap >= TimeSpan.FromSeconds(2) && gap < TimeSpan.FromSeconds(6), $"the second stream came {gap} after the first");
        // The silent connection stays open on the server until the agent drops it: the agent must close it first.
        Assert.Equal(1, emulator.MaxConcurrentStreams(first.InstanceId));
    }

    [Fact]
    public async Task Comments_alone_keep_a_stream_alive_past_the_idle_timeout()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Events:IdleTimeout", "00:00:02")
            .Set("Events:MaxReconnectDelay", "00:00:01"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        // 5 s of comments only: without them counting as activity the 2 s idle timeout would fire twice.
        for (var i = 0; i < 10; i++)
        {
            emulator.SendComment();
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal(1, emulator.CountRequests(EmulatorWaits.StreamPath));
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task Reconnects_after_server_closes_never_hold_two_streams_at_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Events:MaxReconnectDelay", "00:00:01"));
        var first = await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        for (var cycle = 2; cycle <= 4; cycle++)
        {
            emulator.SendEvent(new { type = "heartbeat", ts = cycle });
            emulator.CloseStreams();
            await emulator.WaitForNthRequestAsync(r => r.Path == EmulatorWaits.StreamPath, cycle, Bound);
        }

        var result = await emulator.RunEchoThroughStreamAsync("after-cycles", Bound);

        Assert.Equal("after-cycles", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(1, emulator.MaxConcurrentStreams(first.InstanceId));
        Assert.Equal(4, emulator.CountRequests(EmulatorWaits.StreamPath));
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
    }

    [Fact]
    public async Task With_events_disabled_no_stream_is_opened_and_polling_alone_picks_up_work()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Events:Enabled", "false")
            .Set("Operations:PollInterval", "00:00:01")
            .Set("Operations:ActivityTimeout", "00:00:10")
            .Set("Heartbeat:Interval", "00:00:04"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.OperationPath, Bound);

        var id = emulator.Enqueue(EmulatorWaits.EchoPath, new JsonObject { ["trace_id"] = "polled" });
        var result = await emulator.WaitForAcceptedResultAsync(id, Bound);

        Assert.Equal("polled", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        // Without a stream there is no goodbye: SIGTERM ends it.
        agent.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        Assert.Equal(0, emulator.CountRequests(EmulatorWaits.StreamPath));
    }
}
