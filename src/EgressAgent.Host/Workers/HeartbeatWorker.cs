using EgressAgent.Application.Pipeline;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

internal sealed class HeartbeatWorker(HeartbeatPump pump) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pump.RunAsync(stoppingToken);
}
