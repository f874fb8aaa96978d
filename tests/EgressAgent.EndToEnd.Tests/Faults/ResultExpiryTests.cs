using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §6.4: a result expires after <c>Results:TimeToLive</c>; an expired result is dropped
/// with an error log naming the operation id. Through the real process: the orchestrator answers
/// every E2 for one operation 503 until its 3 s TTL has passed; it is dropped, never delivered,
/// never sent again, and results after it are delivered as usual.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class ResultExpiryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_result_the_orchestrator_refuses_until_its_time_to_live_passes_is_dropped_with_an_error_naming_its_operation_id_and_later_results_are_delivered()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        var outbox = Path.Combine(data.Path, "outbox");
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Results:TimeToLive", "00:00:03"));
        await emulator.WaitForRequestAsync(r => Wire.IsFetch(r) && r.StatusCode == 204, Bound);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        var doomed = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-expires" });
        emulator.FailResultsFor(id => id == doomed, 503); // for ever: only the TTL can end it
        emulator.SendEvent(new { type = "work_available" });
        var firstAttempt = await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, doomed), Bound);
        var expired = await agent.WaitForLineAsync(l => l.Contains($"Result of {doomed} expired after", StringComparison.Ordinal), Bound);
        var expiredAt = AgentLog.TimeOf(expired, firstAttempt.At);
        var attempts = emulator.Results.Count(r => r.OperationId == doomed);
        output.WriteLine($"first attempt {firstAttempt.At:HH:mm:ss.fff}, dropped {expiredAt:HH:mm:ss.fff} after {attempts} attempt(s)");

        Assert.Contains("fail:", expired, StringComparison.Ordinal); // error level
        Assert.Contains("00:00:03", expired, StringComparison.Ordinal);
        Assert.True(expiredAt - firstAttempt.At >= TimeToLive - TimeSpan.FromSeconds(1), $"dropped {expiredAt - firstAttempt.At} after the first attempt, before its TTL of {TimeToLive}");
        Assert.True(attempts >= 2, $"the result was tried {attempts} time(s) before it expired");

        var later = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-after-expiry" });
        emulator.SendEvent(new { type = "work_available" });
        var delivered = await emulator.WaitForAcceptedResultAsync(later, Bound);
        Assert.Equal("t-after-expiry", delivered.Result!["__mcd_trace_id__"]!.GetValue<string>());

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.DoesNotContain(emulator.Results, r => r.OperationId == doomed && r.Accepted);
        Assert.Equal(attempts, emulator.Results.Count(r => r.OperationId == doomed)); // never sent again once dropped
        Assert.Single(emulator.HandedOut, h => h.OperationId == doomed); // not run again either
        Assert.DoesNotContain(doomed, StoredResults.OperationIds(outbox));
    }
}
