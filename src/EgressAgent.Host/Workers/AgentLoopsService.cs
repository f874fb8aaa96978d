using EgressAgent.Application.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

/// <summary>
/// Runs every <see cref="IAgentLoop"/> the application registered, for the life of the host. The
/// loops stop on the pipeline's own tokens, driven by the shutdown sequence; the host's stopping
/// token only ends them after the sequence is over. A loop that fails stops the host, and
/// <see cref="Failed"/> names it for the exit code (docs/protocol.md §8).
/// </summary>
internal sealed class AgentLoopsService(IEnumerable<IAgentLoop> loops) : BackgroundService
{
    private readonly IReadOnlyList<IAgentLoop> _loops = [.. loops];

    /// <summary>The first loop that failed and why; null while none has.</summary>
    public (string Loop, Exception Error)? Failed { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = _loops.ToDictionary(l => (Task)RunAsync(l, stoppingToken), l => l);
        while (running.Count > 0)
        {
            var ended = await Task.WhenAny(running.Keys);
            var loop = running[ended];
            running.Remove(ended);
            if (ended.IsFaulted)
            {
                var error = ended.Exception!.GetBaseException();
                Failed ??= (loop.Name, error);
                throw new InvalidOperationException($"The {loop.Name} loop failed: {error.Message}", error);
            }
        }
    }

    // Each loop on its own: one that runs synchronously for a while delays no other's start.
    private static Task RunAsync(IAgentLoop loop, CancellationToken stoppingToken) =>
        Task.Run(() => loop.RunAsync(stoppingToken), CancellationToken.None);
}
