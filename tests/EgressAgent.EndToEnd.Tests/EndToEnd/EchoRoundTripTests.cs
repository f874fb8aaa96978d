using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.EndToEnd;

/// <summary>The whole path once, for real: stream, pull, run, publish, goodbye (docs/protocol.md §6).</summary>
public sealed class EchoRoundTripTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Twenty_echo_operations_each_produce_exactly_one_correctly_shaped_result_and_goodbye_exits_zero()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options("/prefix"));
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);

        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);
        var ids = Enumerable.Range(1, 20)
            .Select(i => emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject { ["trace_id"] = $"t-{i}", ["n"] = i }))
            .ToList();
        emulator.SendEvent(new { type = "work_available" });

        await emulator.WaitForResultsAsync(20, Bound);
        emulator.SendEvent(new { type = "goodbye", reason = "test finished" });
        var exitCode = await agent.WaitForExitAsync(Bound);

        Assert.Equal(0, exitCode);
        var accepted = emulator.Results.Where(r => r.StatusCode is >= 200 and < 300).ToList();
        Assert.Equal(ids.Order(), accepted.Select(r => r.OperationId).Order());
        foreach (var result in accepted)
        {
            var n = int.Parse(result.OperationId.AsSpan(3), provider: null);
            var shaped = result.Result!;
            Assert.Equal($"t-{n}", shaped["__mcd_trace_id__"]!.GetValue<string>());
            Assert.Equal(n, shaped["__mcd_result__"]!["n"]!.GetValue<int>());
            Assert.Equal(2, shaped.Count);
        }

        Assert.Single(emulator.Requests, r => r.Path == "/api/v1/agent/shutdown");
        Assert.DoesNotContain(agent.Lines, l => l.Contains(EmulatorCredential.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_request_and_the_stream_carry_the_same_instance_id_and_the_credential_headers()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output);

        await emulator.WaitForRequestAsync(r => r.Path == "/stream", Bound);
        emulator.Enqueue("/api/v1/agent/execute/builtin/echo", new JsonObject { ["x"] = 1 });
        emulator.SendEvent(new { type = "work_available" });
        await emulator.WaitForResultsAsync(1, Bound);
        emulator.SendEvent(new { type = "goodbye" });
        Assert.Equal(0, await agent.WaitForExitAsync(Bound));

        var requests = emulator.Requests;
        Assert.Contains(requests, r => r.Path == "/stream");
        Assert.Contains(requests, r => r.Path == "/api/v1/agent/operation");
        Assert.Contains(requests, r => r.Path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.Path == "/api/v1/agent/shutdown");
        var instanceId = Assert.Single(requests.Select(r => r.InstanceId).Distinct());
        Assert.True(Guid.TryParse(instanceId, out _), $"instance id '{instanceId}' is not a UUID");
        Assert.All(requests, r => Assert.Equal((EmulatorCredential.Id, EmulatorCredential.Secret), (r.TokenId, r.Token)));
        Assert.Contains(agent.Lines, l => l.Contains(instanceId!, StringComparison.Ordinal));
        var stream = requests.First(r => r.Path == "/stream");
        Assert.Equal("text/event-stream", stream.Accept);
    }
}
