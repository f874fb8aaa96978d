using EgressAgent.Application.Events.Dispatching;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

/// <summary>Hosts the stream loop (socket to handler); the loop stops when intake stops.</summary>
internal sealed class EventStreamWorker(EventStreamLoop loop) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => loop.RunAsync(stoppingToken);
}
