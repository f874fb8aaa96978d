using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Emulator;
using EgressAgent.Soak.Checking;

namespace EgressAgent.Soak.Work;

/// <summary>
/// Keeps the orchestrator's queue topped up with a seeded mix of work (builtins, SQL over SQLite,
/// PostgreSQL and MariaDB with secret credentials, oversized and hostile envelopes) and wakes the
/// agents with <c>work_available</c>. Records what each operation must come to.
/// </summary>
internal sealed class WorkFeeder(OrchestratorEmulator emulator, WorkMix mix, int queueTarget)
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, OperationSpec> _queued = new(StringComparer.Ordinal);
    private int _next;

    public IReadOnlyDictionary<string, OperationSpec> Queued => _queued;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Pace);
        do
        {
            var added = 0;
            while (emulator.QueuedCount < queueTarget)
            {
                Enqueue(mix.Next());
                added++;
            }

            if (added > 0)
            {
                emulator.SendEvent(new JsonObject { ["type"] = "work_available" });
            }
        }
        while (await WaitAsync(timer, stop));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Enqueue(WorkItem item)
    {
        var number = Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        var id = $"soak-{number}-{item.Kind}";
        var trace = $"trace-{number}";
        var spec = new OperationSpec(id, item.Kind, item.TraceCompared ? trace : null, item.ReachesAWorker);
        _queued[id] = spec; // recorded before it can be handed out
        if (item.RawEnvelope is { } raw)
        {
            emulator.EnqueueRawEnvelope(raw(id, trace), label: id);
        }
        else if (item.Credentials is { } credentials)
        {
            emulator.EnqueueWithCredentials(item.Path, item.Operation(trace), credentials, id);
        }
        else if (item.Oversized)
        {
            emulator.EnqueueOversized(item.Path, item.Operation(trace), id);
        }
        else
        {
            emulator.Enqueue(item.Path, item.Operation(trace), id);
        }
    }
}
