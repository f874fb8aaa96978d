using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.EndToEnd.Tests.Lifecycle;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Faults;

/// <summary>
/// Contract §10 "Time", through the real agent process: its wall clock stepped a day forward
/// (libfaketime, <see cref="FakeWallClock"/>) while it holds a result stored by the previous
/// process expires nothing — the remaining time to live was fixed at load and counts down on the
/// monotonic clock (docs/adr/0042).
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class WallClockStepTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const string TimeToLive = "00:10:00";

    [FakeWallClockFact]
    public async Task A_wall_clock_stepped_forward_a_day_does_not_expire_a_stored_result()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        using var data = new TempDirectory();
        emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, 100_000)]);
        var id = emulator.Enqueue(Wire.Echo, new JsonObject { ["trace_id"] = "t-time", ["n"] = 42 });

        // The previous process stores the result and cannot deliver it.
        await using (var first = AgentProcess.Start(emulator, data, output, s => s.Set("Results:TimeToLive", TimeToLive)))
        {
            await emulator.WaitForRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, Bound);
            first.KillHard();
            await first.WaitForExitAsync(Bound);
        }

        var refusedBefore = emulator.Requests.Count(r => Wire.IsResultOf(r, id));
        using var clock = new FakeWallClock();
        await using var second = AgentProcess.Start(emulator, data, output, s =>
        {
            s.Set("Results:TimeToLive", TimeToLive);
            s.Environment["Logging__Console__FormatterName"] = "json";
            clock.Apply(s);
        });

        // Loaded with the wall clock as it was (age: seconds), refused once more; then the step.
        await emulator.WaitForNthRequestAsync(r => Wire.IsResultOf(r, id) && r.StatusCode == 503, refusedBefore + 1, Bound);
        clock.Step(TimeSpan.FromDays(1));

        // Premise: the agent's own wall clock moved (its log lines say so) while the result is still refused.
        var dayAhead = DateTimeOffset.UtcNow + TimeSpan.FromHours(20);
        var stepped = await second.WaitForLineAsync(l => TimestampOf(l) > dayAhead, Bound);
        output.WriteLine($"first line after the step: {stepped}");
        emulator.ScriptResultStatuses();

        var delivered = await emulator.WaitForAcceptedResultAsync(id, Bound);
        Assert.Equal(42, delivered.Result!["__mcd_result__"]!["n"]!.GetValue<int>());
        Assert.DoesNotContain(second.Lines, l => l.Contains("expired", StringComparison.Ordinal));

        second.Signal(PosixSignal.SIGTERM);
        Assert.Equal(0, await second.WaitForExitAsync(Bound));
        Assert.Empty(StoredResults.OperationIds(Path.Combine(data.Path, "outbox")));
    }

    private static DateTimeOffset TimestampOf(string line)
    {
        try
        {
            return JsonNode.Parse(line)?["timestamp"]?.GetValue<string>() is { } text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : DateTimeOffset.MinValue;
        }
        catch (System.Text.Json.JsonException)
        {
            return DateTimeOffset.MinValue; // not a JSON record (the runtime's own output)
        }
    }
}
