using EgressAgent.Application.Pipeline;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

internal sealed class ResultPublisherWorker(ResultPublisher publisher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => publisher.RunAsync(stoppingToken);
}
