using EgressAgent.Emulator;
using EgressAgent.Soak.Agents;
using EgressAgent.Soak.Work;

namespace EgressAgent.Soak;

/// <summary>
/// The quiet period after the faults: waits until nothing is queued, every agent reports nothing in
/// flight and nothing in its outbox, and every operation handed to a process still running has
/// been answered, or until the bound. Polls once a second: the agents' gauges have no push signal.
/// </summary>
internal static class Drain
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>True when drained; the last state otherwise, for the log.</summary>
    public static async Task<(bool Drained, string State)> WaitAsync(
        OrchestratorEmulator emulator, HistoryRecorder history, WorkFeeder feeder, IReadOnlyList<AgentSlot> slots, TimeSpan bound, LineLog log, CancellationToken cancel)
    {
        var deadline = DateTimeOffset.UtcNow + bound;
        var lastLogged = DateTimeOffset.MinValue;
        while (true)
        {
            var state = await StateAsync(emulator, history, feeder, slots);
            if (state is null)
            {
                return (true, "drained");
            }

            if (DateTimeOffset.UtcNow > deadline || cancel.IsCancellationRequested)
            {
                return (false, state);
            }

            if (DateTimeOffset.UtcNow - lastLogged > TimeSpan.FromSeconds(10))
            {
                log.WriteLine($"draining: {state}");
                lastLogged = DateTimeOffset.UtcNow;
            }

            await Task.Delay(Poll, CancellationToken.None);
        }
    }

    /// <summary>What is still unfinished, or null when nothing is.</summary>
    private static async Task<string?> StateAsync(OrchestratorEmulator emulator, HistoryRecorder history, WorkFeeder feeder, IReadOnlyList<AgentSlot> slots)
    {
        if (emulator.QueuedCount > 0)
        {
            return $"{emulator.QueuedCount} operation(s) queued";
        }

        var running = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slot in slots)
        {
            var life = slot.Current;
            if (life.Process.HasExited || !life.InstanceId.IsCompleted || await life.Management is not { } management)
            {
                return $"agent {slot.Index} not up";
            }

            if (await ManagementProbe.UnfinishedAsync(management) is not 0 and var unfinished)
            {
                return $"agent {slot.Index} holds {unfinished?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "an unknown number of"} operation(s) or result(s)";
            }

            if (await life.InstanceId is { } instance)
            {
                running.Add(instance);
            }
        }

        var answered = history.Results.Where(r => r.Accepted).Select(r => r.OperationId).ToHashSet(StringComparer.Ordinal);
        var waiting = history.HandOuts.Count(h => h.InstanceId is { } i && running.Contains(i)
            && !answered.Contains(h.OperationId)
            && feeder.Queued.GetValueOrDefault(h.OperationId) is not { ReachesAWorker: false }
            && h.CarriedBy is null);
        return waiting == 0 ? null : $"{waiting} operation(s) handed to running agents unanswered";
    }
}
