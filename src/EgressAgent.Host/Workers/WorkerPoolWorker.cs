using EgressAgent.Application.Pipeline;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

/// <summary>
/// Thin hosts for the pipeline's loops. The loops stop on the pipeline's own tokens, driven by
/// the shutdown sequence; the host's stopping token only ends them after the sequence is over.
/// </summary>
internal sealed class WorkerPoolWorker(WorkerPool pool) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pool.RunAsync(stoppingToken);
}
