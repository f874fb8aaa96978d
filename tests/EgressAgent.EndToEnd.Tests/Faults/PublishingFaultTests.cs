using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 for E2: results that keep failing never delay the others (no head-of-line
/// blocking), and a result the orchestrator refuses as too large is not lost in silence.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class PublishingFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Far below what the failing results wait between their attempts once refused a few times
    /// (the backoff ceiling doubles from 1 s to 60 s), and below what a result waited when those
    /// held every delivery slot: for ever.
    /// </summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ten_results_the_orchestrator_keeps_refusing_do_not_delay_the_delivery_of_later_ones()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.FailResultsFor(id => id.StartsWith("stuck-", StringComparison.Ordinal), 503);
        using var data = new TempDirectory();
        await using var agent = StartAgent(emulator, data);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        var stuck = Enumerable.Range(1, 10).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-stuck-{i}" }, $"stuck-{i}")).ToList();
        emulator.SendEvent(new { type = "work_available" });
        foreach (var id in stuck)
        {
            // Refused twice: each of the ten is in its retry loop, more of them than there are delivery slots.
            await emulator.WaitForNthRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, 2, Bound);
        }

        var started = Stopwatch.GetTimestamp();
        var later = Enumerable.Range(1, 5).Select(i => emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = $"t-later-{i}" }, $"later-{i}")).ToList();
        emulator.SendEvent(new { type = "work_available" });
        foreach (var id in later)
        {
            await emulator.WaitForAcceptedResultAsync(id, Bound);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        output.WriteLine($"The later results were delivered {elapsed.TotalMilliseconds:0} ms after they were queued");
        Assert.True(elapsed < Promptly, $"The later results took {elapsed} to be delivered; attempts: {Attempts(emulator)}");

        // The ten are still retried after the later ones went through.
        var deliveredAt = emulator.Results.Where(r => r.Accepted).Max(r => r.At);
        foreach (var id in stuck)
        {
            await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503 && r.At > deliveredAt, Bound);
        }

        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));
        Assert.DoesNotContain(emulator.Results, r => stuck.Contains(r.OperationId) && r.Accepted);
        Assert.All(later, id => Assert.Contains(agent.Lines, l => l.Contains($"Result of {id} delivered after 1 attempt(s)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_result_answered_413_is_replaced_by_a_ResultTooLarge_failure_with_the_refused_size_and_its_trace_id()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.ScriptResultStatuses(413);
        using var data = new TempDirectory();
        await using var agent = StartAgent(emulator, data);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        // Larger than the part of a stored result the agent reads back for its trace id.
        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-too-large", ["blob"] = new string('x', 300_000) });
        emulator.SendEvent(new { type = "work_available" });
        var recorded = await emulator.WaitForAcceptedResultAsync(id, Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        var refused = Assert.Single(emulator.Results, r => r.OperationId == id && r.StatusCode == 413);
        var size = Encoding.UTF8.GetByteCount(refused.RawBody);
        Assert.True(size > 300_000, $"the refused body is the whole result ({size} bytes)");
        var expected = new JsonObject
        {
            ["__mcd_error__"] = $"Result too large for the orchestrator: {size} bytes",
            ["__mcd_error_type__"] = "ResultTooLarge",
            ["__mcd_trace_id__"] = "t-too-large",
        };
        Assert.True(JsonNode.DeepEquals(expected, recorded.Result), recorded.RawBody);
        Assert.Equal([413, 200], emulator.Results.Where(r => r.OperationId == id).Select(r => r.StatusCode));
        Assert.Contains(agent.Lines, l => l.Contains($"Result of {id} was refused as too large (413, {size} bytes)", StringComparison.Ordinal));
        Assert.Empty(StoredResults.OperationIds(Path.Combine(data.Path, "outbox")));
    }

    [Fact]
    public async Task A_replacement_the_orchestrator_refuses_too_is_dropped_with_an_error_and_nothing_else_stops()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        emulator.FailResultsFor(id => id == "refused-always", 413);
        using var data = new TempDirectory();
        await using var agent = StartAgent(emulator, data);
        await emulator.WaitForRequestAsync(r => r.Path == Wire.Stream, Bound);

        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-refused" }, "refused-always");
        emulator.SendEvent(new { type = "work_available" });
        await agent.WaitForLineAsync(l => l.Contains($"Result of {id} was refused as too large", StringComparison.Ordinal) && l.Contains("dropping it", StringComparison.Ordinal), Bound);
        var after = await emulator.RunEchoThroughStreamAsync("after-refusals", Bound);
        Assert.Equal(0, await emulator.SayGoodbyeAsync(agent, Bound));

        var attempts = emulator.Results.Where(r => r.OperationId == id).ToList();
        Assert.Equal([413, 413], attempts.Select(r => r.StatusCode));
        Assert.Equal("ResultTooLarge", attempts[1].Result!["__mcd_error_type__"]!.GetValue<string>());
        Assert.Equal("t-refused", attempts[1].Result!["__mcd_trace_id__"]!.GetValue<string>());
        Assert.True(after.Accepted);
        Assert.Empty(StoredResults.OperationIds(Path.Combine(data.Path, "outbox")));
    }

    private AgentProcess StartAgent(OrchestratorEmulator emulator, TempDirectory data) =>
        AgentProcess.Start(emulator, data, output, settings =>
        {
            // The publisher logs each delivery at debug level: the tests read the attempt count from it.
            settings.Environment["Logging__LogLevel__EgressAgent.Application.Results.ResultPublisher"] = "Debug";
        });

    private static string Attempts(OrchestratorEmulator emulator) =>
        string.Join(", ", emulator.Results.Select(r => $"{r.OperationId}→{r.StatusCode}"));
}
