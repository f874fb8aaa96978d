using EgressAgent.Application.Health;
using EgressAgent.Host.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Management;

/// <summary>
/// Whether every loop of the agent makes progress (docs/protocol.md §11 <c>/livez</c>, docs/adr/0024):
/// no step open past its bound, no hosted loop whose task faulted, no part of a loop reported dead
/// (a worker that could not be replaced, docs/adr/0043). Read by the liveness probe and
/// by the systemd watchdog, so both say the same.
/// </summary>
internal sealed class AgentLiveness(LoopHeartbeats heartbeats, IServiceProvider services)
{
    // Resolved on first use: the hosted services include the ones that read this (a cycle at construction).
    private readonly Lazy<IReadOnlyList<BackgroundService>> _loops = new(() => [.. services.GetServices<IHostedService>().OfType<BackgroundService>()]);

    /// <summary>What is stuck or dead, one line each; empty while the agent is alive.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = heartbeats.Stuck().Select(s => $"{s} (stuck)").ToList();
        problems.AddRange(heartbeats.DeadParts().Select(d => $"{d} (dead)"));
        foreach (var loop in _loops.Value)
        {
            if (loop is AgentLoopsService { Failed: { } failed })
            {
                problems.Add($"{failed.Loop}: dead ({failed.Error.GetType().Name})");
            }
            else if (loop.ExecuteTask is { IsFaulted: true } task)
            {
                var cause = task.Exception!.GetBaseException();
                problems.Add($"{loop.GetType().Name}: dead ({cause.GetType().Name})");
            }
        }

        return problems;
    }
}
