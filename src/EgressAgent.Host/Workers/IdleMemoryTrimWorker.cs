using EgressAgent.Application.Pipeline;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

internal sealed class IdleMemoryTrimWorker(IdleMemoryTrim trim) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => trim.RunAsync(stoppingToken);
}
