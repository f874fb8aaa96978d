using System.Collections.Concurrent;
using EgressAgent.Emulator;
using EgressAgent.Soak.Agents;
using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak.Faults;

/// <summary>
/// Injects seeded faults at random times (exponential gaps) until stopped, several at once when they
/// touch different things: one slot-level fault per agent, one orchestrator fault at a time, proxy
/// faults freely. Every random choice is drawn on the loop's thread, in order, so a seed replays the
/// same sequence of faults (not the same interleaving with the agents).
/// </summary>
internal sealed class FaultInjector(Random random, OrchestratorEmulator emulator, IReadOnlyList<AgentSlot> slots, LineLog log)
{
    private static readonly (FaultKind Kind, int Weight)[] Weights =
    [
        (FaultKind.ConnectionStall, 16), (FaultKind.ConnectionReset, 16), (FaultKind.Orchestrator503Burst, 10),
        (FaultKind.OrchestratorOutage, 5), (FaultKind.DiskFull, 10), (FaultKind.DataDirectoryRemoved, 6),
        (FaultKind.Sigterm, 8), (FaultKind.Kill9, 8), (FaultKind.Goodbye, 8),
    ];

    private readonly ConcurrentDictionary<FaultKind, int> _counts = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly SemaphoreSlim _orchestratorGate = new(1, 1);
    private readonly List<Task> _running = [];

    public IReadOnlyDictionary<FaultKind, int> Counts => _counts;

    /// <summary>Faults the soak could not inject as planned (a bug of the soak, reported as a violation: a soak that injects nothing must not pass).</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public async Task RunAsync(TimeSpan meanGap, CancellationToken stop)
    {
        while (true)
        {
            var gap = TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) * meanGap.TotalSeconds);
            try
            {
                await Task.Delay(gap, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (Start(Draw()) is { } running)
            {
                _running.Add(running);
            }
        }

        await Task.WhenAll(_running);

        // Whatever a fault left set is cleared: the drain runs without faults.
        emulator.Unavailable = false;
        emulator.OperationFetchStatusOverride = 0;
        emulator.ScriptResultStatuses();
        _orchestratorGate.Dispose();
    }

    private FaultPlan Draw()
    {
        var restartable = slots.Where(s => s.Restartable).ToList();
        var candidates = Weights.Where(w => restartable.Count > 0 || w.Kind is not (FaultKind.Sigterm or FaultKind.Kill9 or FaultKind.Goodbye)).ToList();
        var pick = random.Next(candidates.Sum(c => c.Weight));
        var kind = candidates.SkipWhile(c => (pick -= c.Weight) >= 0).First().Kind;
        var slot = kind is FaultKind.Sigterm or FaultKind.Kill9 or FaultKind.Goodbye
            ? restartable[random.Next(restartable.Count)]
            : slots[random.Next(slots.Count)];
        return new FaultPlan(
            kind,
            slot,
            ProxyFaultPlan.Draw(random, stall: kind == FaultKind.ConnectionStall),
            TimeSpan.FromSeconds(2 + (random.NextDouble() * 8)),
            random.Next(3, 13),
            (DataDirectoryRecovery)random.Next(3));
    }

    private Task? Start(FaultPlan plan)
    {
        var gate = plan.Kind switch
        {
            FaultKind.ConnectionStall or FaultKind.ConnectionReset => null,
            FaultKind.Orchestrator503Burst or FaultKind.OrchestratorOutage => _orchestratorGate,
            _ => plan.Slot.Gate,
        };
        if (gate is not null && !gate.Wait(0))
        {
            return null; // that agent or the orchestrator is mid-fault already
        }

        _counts.AddOrUpdate(plan.Kind, 1, (_, n) => n + 1);
        return Task.Run(async () =>
        {
            try
            {
                await InjectAsync(plan);
            }
            catch (Exception ex)
            {
                _errors.Enqueue($"{plan.Kind} on agent {plan.Slot.Index}: {ex.GetType().Name}: {ex.Message}");
                log.WriteLine($"soak error injecting {plan.Kind} on agent {plan.Slot.Index}: {ex}");
            }
            finally
            {
                gate?.Release();
            }
        });
    }

    private async Task InjectAsync(FaultPlan plan)
    {
        var slot = plan.Slot;
        switch (plan.Kind)
        {
            case FaultKind.ConnectionStall or FaultKind.ConnectionReset:
                var proxy = plan.Proxy;
                log.WriteLine($"agent {slot.Index}: proxy {proxy}");
                var rule = slot.Proxy.When(proxy.Match, proxy.Fault, proxy.Times, proxy.ToString());
                await Task.Delay(proxy.Hold);
                rule.Remove();
                break;
            case FaultKind.Orchestrator503Burst:
                log.WriteLine($"orchestrator: 503 to the next {plan.Count} result PUTs and to E1 for {plan.Hold.TotalSeconds:0.0} s");
                emulator.ScriptResultStatuses([.. Enumerable.Repeat(503, plan.Count)]);
                emulator.OperationFetchStatusOverride = 503;
                await Task.Delay(plan.Hold);
                emulator.OperationFetchStatusOverride = 0;
                break;
            case FaultKind.OrchestratorOutage:
                log.WriteLine($"orchestrator: outage for {plan.Hold.TotalSeconds:0.0} s");
                emulator.Unavailable = true;
                await Task.Delay(plan.Hold);
                emulator.Unavailable = false;
                log.WriteLine("orchestrator: back");
                break;
            case FaultKind.DiskFull:
                await slot.FillDiskAsync(plan.Hold);
                break;
            case FaultKind.DataDirectoryRemoved:
                await slot.RemoveDataDirectoryAsync(plan.Recovery);
                break;
            case FaultKind.Sigterm:
                await slot.StopAsync(LifeEnd.Sigterm, restart: true);
                break;
            case FaultKind.Kill9:
                await slot.KillAsync();
                break;
            case FaultKind.Goodbye:
                await slot.GoodbyeAsync(emulator);
                break;
            default:
                throw new InvalidOperationException($"no injection for {plan.Kind}");
        }
    }
}
