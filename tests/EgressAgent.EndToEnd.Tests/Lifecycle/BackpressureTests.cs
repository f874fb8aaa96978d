using System.Globalization;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>Capacity (docs/protocol.md §6.2, ADR 0008): the agent never holds more work than it has workers, whatever the source.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class BackpressureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_workers_never_hold_more_than_two_of_six_queued_operations_and_all_six_results_arrive()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var ids = Enumerable.Range(0, 6).Select(_ => emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(3)))).ToList();
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s => s.Set("Operations:Workers", "2"));

        var accepted = await emulator.WaitForResultsAsync(6, Bound);

        Assert.Equal(ids.Order(), accepted.Select(r => r.OperationId).Order());
        var handedOut = emulator.HandedOut;
        Assert.Equal(ids.Order(), handedOut.Select(h => h.OperationId).Order());

        // An operation is held from its hand-out until the worker finished it. The end is the
        // agent's "finished" log (result stored, slot not yet freed), not the result's arrival:
        // results waiting in the outbox do not count (§6.2), and the freed slot may fetch the
        // next operation before the previous result's PUT lands.
        var held = new List<(string Id, DateTimeOffset From, DateTimeOffset To)>();
        foreach (var handOut in handedOut)
        {
            held.Add((handOut.OperationId, handOut.At, await AgentLog.FinishedAtAsync(agent, handOut.OperationId, handOut.At, Bound)));
        }

        var byResult = handedOut.Select(h => (h.OperationId, h.At, accepted.Single(r => r.OperationId == h.OperationId).At)).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"max held until finished: {MaxOverlap(held)}; max held until result accepted: {MaxOverlap(byResult)}"));
        foreach (var (id, from, to) in held)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{id}: handed out {from:HH:mm:ss.fff}, finished {to:HH:mm:ss.fff}"));
        }

        // Exactly two: never more than the workers, and both workers were used.
        Assert.Equal(2, MaxOverlap(held));
    }

    [Fact]
    public async Task A_piggybacked_operation_runs_and_holds_the_only_slot_so_no_E1_is_made_while_it_runs()
    {
        var options = EmulatorCredential.Options();
        options.PiggybackNextOperation = true;
        await using var emulator = await OrchestratorEmulator.StartAsync(options);
        var ids = Enumerable.Range(0, 3).Select(_ => emulator.Enqueue(Wire.Sleep, Wire.SleepFor(TimeSpan.FromSeconds(1)))).ToList();
        using var data = new TempDirectory();
        await using var agent = AgentProcess.Start(emulator, data, output, s =>
        {
            s.Set("Operations:Workers", "1");

            // The intake logs, at debug, the moment a piggybacked operation is admitted.
            s.Environment["Logging__LogLevel__EgressAgent.Application.Intake.AssignedWorkIntake"] = "Debug";
        });

        var accepted = await emulator.WaitForResultsAsync(3, Bound);

        Assert.Equal(ids.Order(), accepted.Select(r => r.OperationId).Order());
        var piggybacked = emulator.HandedOut.Where(h => h.ViaPiggyback).ToList();
        Assert.NotEmpty(piggybacked);
        var fetches = emulator.Requests.Where(Wire.IsFetch).ToList();
        foreach (var handOut in piggybacked)
        {
            // From when the agent admitted it (an E1 reserved just before may still land after the
            // emulator handed it out) to when its worker finished it (the freed slot may poll at once).
            var admittedLine = await agent.WaitForLineAsync(
                l => l.Contains($"Accepted operation {handOut.OperationId} (", StringComparison.Ordinal) && l.Contains("from next_operation", StringComparison.Ordinal),
                Bound);
            var admitted = AgentLog.TimeOf(admittedLine, handOut.At).AddMilliseconds(1);
            var finished = await AgentLog.FinishedAtAsync(agent, handOut.OperationId, handOut.At, Bound);
            var during = fetches.Where(r => r.At > admitted && r.At < finished).ToList();
            Assert.True(
                during.Count == 0,
                $"E1 while piggybacked {handOut.OperationId} held the only slot ({admitted:HH:mm:ss.fff}–{finished:HH:mm:ss.fff}): {Wire.Describe(during)}");
        }
    }

    /// <summary>The most intervals open at one instant; an interval ending when another starts does not overlap it.</summary>
    private static int MaxOverlap(IEnumerable<(string Id, DateTimeOffset From, DateTimeOffset To)> intervals)
    {
        var edges = intervals
            .SelectMany(i => new[] { (At: i.From, Delta: 1), (At: i.To, Delta: -1) })
            .OrderBy(e => e.At)
            .ThenBy(e => e.Delta);
        int open = 0, max = 0;
        foreach (var (_, delta) in edges)
        {
            open += delta;
            max = Math.Max(max, open);
        }

        return max;
    }
}
