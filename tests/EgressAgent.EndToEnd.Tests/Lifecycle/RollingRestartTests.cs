using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace EgressAgent.EndToEnd.Tests.Lifecycle;

/// <summary>
/// A rolling restart the way a StatefulSet does it (docs/protocol.md §7 and §6.4): three agents
/// on one orchestrator under continuous work; each in turn gets SIGTERM, drains, exits, and its
/// replacement starts on the same data directory. Every operation ends in exactly one result.
/// </summary>
[Collection(LifecycleCollection.Name)]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const int Replicas = 3;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WorkBetweenRestarts = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task Restarting_three_agents_one_after_another_under_continuous_work_gives_every_operation_exactly_one_result()
    {
        await using var emulator = await OrchestratorEmulator.StartAsync(EmulatorCredential.Options());
        var directories = Enumerable.Range(0, Replicas).Select(_ => new TempDirectory()).ToList();
        var agents = new List<AgentProcess>();
        var retired = new List<AgentProcess>();
        using var stopWork = new CancellationTokenSource();
        var enqueued = new List<string>();
        try
        {
            foreach (var directory in directories)
            {
                agents.Add(await StartConnectedAsync(emulator, directory));
            }

            var producer = ProduceWorkAsync(emulator, enqueued, stopWork.Token);
            for (var replica = 0; replica < Replicas; replica++)
            {
                await Task.Delay(WorkBetweenRestarts);
                var leaving = agents[replica];
                leaving.Signal(PosixSignal.SIGTERM);
                Assert.Equal(0, await leaving.WaitForExitAsync(Bound));
                retired.Add(leaving);
                agents[replica] = await StartConnectedAsync(emulator, directories[replica]);
            }

            await Task.Delay(WorkBetweenRestarts);
            await stopWork.CancelAsync();
            await producer;

            var ids = Snapshot(enqueued);
            Assert.True(ids.Count > 20, $"Premise: continuous work during the restarts, but only {ids.Count} operations were queued.");
            await WaitForEveryResultAsync(emulator, ids);
            foreach (var agent in agents)
            {
                agent.Signal(PosixSignal.SIGTERM);
            }

            foreach (var agent in agents)
            {
                Assert.Equal(0, await agent.WaitForExitAsync(Bound));
            }

            var accepted = emulator.Results.Where(r => r.Accepted).GroupBy(r => r.OperationId).ToDictionary(g => g.Key, g => g.Count());
            Assert.All(ids, id => Assert.Equal(1, accepted.GetValueOrDefault(id)));
            Assert.Equal(ids.Count, accepted.Count);
            Assert.Equal(ids.Count, emulator.HandedOut.Count);
            output.WriteLine($"{ids.Count} operations, {emulator.Results.Count} result PUTs, {emulator.HandedOut.Select(h => h.InstanceId).Distinct().Count()} instances");
        }
        finally
        {
            await stopWork.CancelAsync();
            foreach (var agent in agents.Concat(retired))
            {
                await agent.DisposeAsync();
            }

            directories.ForEach(d => d.Dispose());
        }
    }

    private async Task<AgentProcess> StartConnectedAsync(OrchestratorEmulator emulator, TempDirectory directory)
    {
        var agent = AgentProcess.Start(emulator, directory, output, s => s.Set("Operations:PollInterval", "00:00:01"));
        await agent.WaitForLineAsync(l => l.Contains("Event stream connected", StringComparison.Ordinal), Bound);
        return agent;
    }

    /// <summary>An operation every 40 ms, each sleeping 50–250 ms, announced on every open stream.</summary>
    private static async Task ProduceWorkAsync(OrchestratorEmulator emulator, List<string> enqueued, CancellationToken stop)
    {
        var random = new Random(11);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(40));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var id = emulator.Enqueue(Wire.Sleep, new JsonObject { ["duration_ms"] = random.Next(50, 250) });
                lock (enqueued)
                {
                    enqueued.Add(id);
                }

                emulator.SendEvent(new { type = "work_available" });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitForEveryResultAsync(OrchestratorEmulator emulator, IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            await emulator.WaitForAcceptedResultAsync(id, Bound);
        }
    }

    private static List<string> Snapshot(List<string> enqueued)
    {
        lock (enqueued)
        {
            return [.. enqueued];
        }
    }
}
