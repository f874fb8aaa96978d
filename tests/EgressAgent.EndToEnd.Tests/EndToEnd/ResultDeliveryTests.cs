using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>
/// E2 over a bad link (docs/protocol.md §3, §6.4): retryable answers are retried until delivered, final
/// ones drop the result, and a delivered result is never sent again. Every test ends the agent
/// before counting, so no later attempt can still arrive.
/// </summary>
public sealed class ResultDeliveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_result_answered_503_twice_is_sent_exactly_three_times_and_delivered_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.ScriptResultStatuses(503, 503);
        using var data = new TempDirectory();
        await using var agent = StartAgent(emulator, data);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var delivered = await emulator.RunEchoThroughStreamAsync("retried", Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        var attempts = emulator.Results.Where(r => r.OperationId == delivered.OperationId).Select(r => r.StatusCode);
        Assert.Equal([503, 503, 200], attempts);
        Assert.Contains(agent.Lines, l => l.Contains($"Result of {delivered.OperationId} delivered after 3 attempt(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_result_answered_400_is_sent_once_and_dropped_and_the_agent_keeps_working()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.ScriptResultStatuses(400);
        using var data = new TempDirectory();
        await using var agent = StartAgent(emulator, data);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var rejected = emulator.Enqueue(EmulatorWaits.EchoPath, new JsonObject { ["trace_id"] = "rejected" });
        emulator.SendEvent(new { type = "work_available" });
        await agent.WaitForLineAsync(l => l.Contains($"Result of {rejected} was rejected with status 400", StringComparison.Ordinal), Bound);
        var second = await emulator.RunEchoThroughStreamAsync("after-rejection", Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        Assert.Equal([400], emulator.Results.Where(r => r.OperationId == rejected).Select(r => r.StatusCode));
        Assert.Equal([200], emulator.Results.Where(r => r.OperationId == second.OperationId).Select(r => r.StatusCode));
    }

    [Fact]
    public async Task An_empty_2xx_answer_counts_as_delivered_and_the_result_is_sent_once()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.EmptyResultBody = true;
        using var data = new TempDirectory();
        await using var agent = StartAgent(emulator, data);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var delivered = await emulator.RunEchoThroughStreamAsync("empty-answer", Bound);
        await agent.WaitForLineAsync(l => l.Contains($"Result of {delivered.OperationId} delivered after 1 attempt(s)", StringComparison.Ordinal), Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        Assert.Single(emulator.Results, r => r.OperationId == delivered.OperationId);
        Assert.DoesNotContain(agent.Lines, l => l.Contains(delivered.OperationId, StringComparison.Ordinal)
            && (l.Contains("retrying", StringComparison.Ordinal) || l.Contains("dropping", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Unsupported_paths_and_a_failing_executor_produce_correctly_shaped_error_results()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = StartAgent(emulator, data);
        await emulator.WaitForRequestAsync(r => r.Path == EmulatorWaits.StreamPath, Bound);

        var noExecutor = emulator.Enqueue("/api/v1/agent/execute/builtin/nope", new JsonObject { ["trace_id"] = "t-no-executor" });
        var noConnectionType = emulator.Enqueue("/api/v1/agent/execute/nosuch/thing", new JsonObject { ["trace_id"] = "t-no-type" });
        var noRoute = emulator.Enqueue("/api/v1/not/a/route", new JsonObject());
        var failing = emulator.Enqueue("/api/v1/agent/execute/builtin/fail", new JsonObject { ["trace_id"] = "t-fail", ["message"] = "failing on purpose" });
        var silentFailure = emulator.Enqueue("/api/v1/agent/execute/builtin/fail", new JsonObject { ["trace_id"] = "t-silent" });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(5, Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        var byId = emulator.Results.Where(r => r.Accepted).ToDictionary(r => r.OperationId, r => r.Result!);
        // A claimed connector with an unknown name stays unsupported; an unclaimed one is a connection type (protocol §5.2, §12.1).
        AssertError(byId[noExecutor], "Unsupported operation path: /api/v1/agent/execute/builtin/nope", "t-no-executor");
        AssertError(byId[noConnectionType], "Connection type not supported by this agent: nosuch", "t-no-type");
        // No trace_id in the operation: the operation id stands in.
        AssertError(byId[noRoute], "Unsupported operation path: /api/v1/not/a/route", noRoute);
        AssertError(byId[failing], "failing on purpose", "t-fail");
        var kind = byId[silentFailure]["__mcd_error_type__"]!.GetValue<string>();
        AssertError(byId[silentFailure], $"Unknown error: {kind}", "t-silent");
    }

    private AgentProcess StartAgent(OrchestratorEmulator emulator, TempDirectory data)
    {
        var settings = AgentSettings.For(emulator, data.Path);
        // The publisher logs each delivery at debug level: the tests read the attempt count from it.
        settings.Environment["Logging__LogLevel__EgressAgent.Application.Results.ResultPublisher"] = "Debug";
        return AgentProcess.Start(settings, output);
    }

    private static void AssertError(JsonObject result, string message, string traceId)
    {
        Assert.Equal(3, result.Count);
        Assert.Equal(message, result["__mcd_error__"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(result["__mcd_error_type__"]!.GetValue<string>()));
        Assert.Equal(traceId, result["__mcd_trace_id__"]!.GetValue<string>());
    }
}
