using Microsoft.Extensions.Hosting;

namespace EgressAgent.Emulator;

/// <summary>
/// Replaces the console lifetime: the emulator runs inside other processes (the agent's
/// <c>demo</c> command, test hosts) and must not react to their SIGTERM/Ctrl+C itself —
/// stopping on the agent's SIGTERM would fail the agent's drain, which still talks to it.
/// Its owner stops it through DisposeAsync.
/// </summary>
internal sealed class DetachedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
