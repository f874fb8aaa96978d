using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Management;

/// <summary>
/// Replaces the console lifetime in the management application: it must not stop on SIGTERM by
/// itself — <c>/readyz</c> has to answer 503 through the drain. The agent's host stops it.
/// </summary>
internal sealed class ManagementLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
