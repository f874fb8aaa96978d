using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10, data from the orchestrator that is not what it should be: text that is not
/// valid Unicode (escaped lone surrogates) in envelopes and events, and numbers of the wrong
/// type or out of range. Each case ends in exactly one result or a logged skip; the agent keeps
/// working and exits 0 at goodbye.
/// </summary>
public sealed class HostileDataTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>A lone high surrogate as JSON escapes it: valid JSON, no valid string.</summary>
    private const string LoneSurrogate = "\\ud800";

    private const string LogsPath = "/api/v1/agent/logs";
    private const string SleepPath = "/api/v1/agent/execute/builtin/sleep";

    [Fact]
    public async Task A_lone_surrogate_in_the_trace_id_from_E1_gets_exactly_one_result_and_the_agent_keeps_working()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        emulator.EnqueueRawEnvelope(Envelope("op-bad-trace", EmulatorWaits.EchoPath, $$"""{"trace_id":"a{{LoneSurrogate}}b","k{{LoneSurrogate}}":["{{LoneSurrogate}}"]}"""));
        emulator.SendEvent(new { type = "work_available" });
        var result = await emulator.WaitForAcceptedResultAsync("op-bad-trace", Bound);
        var later = await emulator.RunEchoThroughStreamAsync("after-bad-trace", Bound);

        Assert.Equal("a\uFFFDb", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal("a\uFFFDb", result.Result!["__mcd_result__"]!["trace_id"]!.GetValue<string>());
        Assert.Equal("\uFFFD", result.Result!["__mcd_result__"]!["k\uFFFD"]![0]!.GetValue<string>());
        Assert.Equal("after-bad-trace", later.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Single(emulator.Results, r => r.OperationId == "op-bad-trace");
    }

    [Fact]
    public async Task A_lone_surrogate_in_the_trace_id_of_a_next_operation_gets_exactly_one_result_and_the_agent_keeps_working()
    {
        var options = EmulatorCredential.Options();
        options.PiggybackNextOperation = true;
        await using var emulator = await OrchestratorEmulator.StartAsync(options);

        // The first result is answered 1.5 s after it arrives: time to queue the bad envelope, which
        // that answer then carries as next_operation (taken from the queue when the answer is made).
        emulator.ResultResponseDelay = TimeSpan.FromSeconds(1.5);
        var first = emulator.Enqueue(EmulatorWaits.EchoPath, new JsonObject { ["trace_id"] = "first" });
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.OperationPath && r.StatusCode == 200, Bound);

        // From here on E1 hands out nothing: the bad envelope can only arrive piggybacked.
        emulator.OperationFetchStatusOverride = 204;
        emulator.EnqueueRawEnvelope(Envelope("op-piggy", EmulatorWaits.EchoPath, $$"""{"trace_id":"{{LoneSurrogate}}","n":1}"""), "op-piggy");
        await emulator.WaitForAcceptedResultAsync(first, Bound);
        emulator.ResultResponseDelay = TimeSpan.Zero;
        var result = await emulator.WaitForAcceptedResultAsync("op-piggy", Bound);
        emulator.OperationFetchStatusOverride = 0;
        var later = await emulator.RunEchoThroughStreamAsync("after-piggy", Bound);

        Assert.True(Assert.Single(emulator.HandedOut, h => h.OperationId == "op-piggy").ViaPiggyback);
        Assert.Equal("\uFFFD", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(1, result.Result!["__mcd_result__"]!["n"]!.GetValue<int>());
        Assert.Equal("after-piggy", later.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Single(emulator.Results, r => r.OperationId == "op-piggy");
    }

    [Fact]
    public async Task An_envelope_whose_operation_id_or_path_is_a_lone_surrogate_is_skipped_and_later_work_runs()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();

        // One worker: a slot the skipped envelopes kept would leave none for the work after them.
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Operations:Workers", "1"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        emulator.EnqueueRawEnvelope(Envelope("op" + LoneSurrogate, EmulatorWaits.EchoPath, """{"n":1}"""));
        emulator.EnqueueRawEnvelope(Envelope("op-bad-path", EmulatorWaits.EchoPath + LoneSurrogate, """{"n":2}"""));
        emulator.EnqueueRawEnvelope("{\"\\udc00\":0," + Envelope("op-bad-both" + LoneSurrogate, "/x" + LoneSurrogate, "{}")[1..]);
        var later = await emulator.RunEchoThroughStreamAsync("after-skipped", Bound);

        Assert.Equal("after-skipped", later.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Single(emulator.Results);
        var skipped = agent.Lines.Where(l => l.Contains("Skipping an invalid operation envelope from E1", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, skipped.Count);
        Assert.All(skipped, l => Assert.Contains(LoneSurrogate, l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Numbers_of_the_wrong_type_or_out_of_range_end_in_InvalidOperation_results_naming_the_field()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var cases = new (string Path, string Json, string Message)[]
        {
            (SleepPath, """{"duration_ms":"100"}""", "'duration_ms' must be an integer from 0 to 3600000, not the string \"100\""),
            (SleepPath, """{"duration_ms":3600001}""", "'duration_ms' must be an integer from 0 to 3600000, not 3600001"),
            (SleepPath, """{"duration_ms":1.5}""", "'duration_ms' must be an integer from 0 to 3600000, not 1.5"),
            (EmulatorWaits.EchoPath, """{"timeout":"30"}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not the string \"30\""),
            (EmulatorWaits.EchoPath, """{"timeout":1e10}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not 1e10"),
            (EmulatorWaits.EchoPath, """{"timeout":-1}""", "'timeout' must be a number of seconds above 0 and at most 4294967, not -1"),
            (EmulatorWaits.EchoPath, """{"response_size_limit_bytes":-1}""", "'response_size_limit_bytes' must be an integer from 0 to 9223372036854775807, not -1"),
            (EmulatorWaits.EchoPath, """{"response_size_limit_bytes":true}""", "'response_size_limit_bytes' must be an integer from 0 to 9223372036854775807, not a boolean"),
            (LogsPath, """{"limit":-1}""", "'limit' must be an integer from 0 to 2147483647, not -1"),
            (LogsPath, """{"limit":{"n":1}}""", "'limit' must be an integer from 0 to 2147483647, not an object"),
        };
        var ids = cases.Select((c, i) => emulator.EnqueueRawEnvelope(Envelope($"op-n{i}", c.Path, c.Json), $"op-n{i}")).ToList();
        emulator.SendEvent(new { type = "work_available" });
        for (var i = 0; i < cases.Length; i++)
        {
            var result = await emulator.WaitForAcceptedResultAsync(ids[i], Bound);
            Assert.Equal("InvalidOperation", result.Result!["__mcd_error_type__"]!.GetValue<string>());
            Assert.Equal(cases[i].Message, result.Result!["__mcd_error__"]!.GetValue<string>());
        }

        var later = await emulator.RunEchoThroughStreamAsync("after-numbers", Bound);

        Assert.Equal("after-numbers", later.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.Equal(cases.Length + 1, emulator.Results.Count);
    }

    [Fact]
    public async Task Lone_surrogates_in_stream_events_are_skipped_or_tolerated_and_the_stream_goes_on()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();

        // An idle poll beyond every wait: the echo below is fetched because the stream woke the poller.
        await using var agent = AgentProcess.Start(emulator, data, output, s => s
            .Set("Operations:PollInterval", "00:01:00")
            .Set("Operations:ActivityTimeout", "00:02:00"));
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.OperationPath, Bound);

        emulator.SendRawData($$"""{"type":"{{LoneSurrogate}}"}""");
        emulator.SendRawData($$"""{"type":"welcome","agent_id":"{{LoneSurrogate}}"}""");
        emulator.SendRawData($$"""{"\udc00":1,"type":"heartbeat","ts":"{{LoneSurrogate}}"}""");
        emulator.SendRawData("""{"type":"work_available","extra":{"\ud800":["\udfff"]}}""");
        var result = await emulator.RunEchoThroughStreamAsync("after-broken-events", Bound);

        Assert.Equal("after-broken-events", result.Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.False(agent.HasExited, "the agent exited after broken stream text");

        // A goodbye is not lost over a name that is not valid Unicode.
        emulator.SendRawData("""{"type":"goodbye","reason":"done","\udc00":1}""");
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));
        Assert.Contains(agent.Lines, l => l.Contains("Shutdown started by Goodbye (done)", StringComparison.Ordinal));
        Assert.Equal(2, agent.Lines.Count(l => l.Contains("Skipped a stream message", StringComparison.Ordinal)));
        Assert.DoesNotContain(agent.Lines, l => l.Contains("Dispatching a stream message failed", StringComparison.Ordinal));
    }

    /// <summary>An envelope as raw JSON text: what no JsonNode can hold (escaped lone surrogates) passes through as written.</summary>
    private static string Envelope(string operationId, string path, string operationJson) =>
        "{\"operation_id\":\"" + operationId + "\",\"path\":\"" + path + "\",\"operation\":" + operationJson + "}";
}
