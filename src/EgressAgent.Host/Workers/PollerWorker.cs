using EgressAgent.Application.Pipeline;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

/// <summary>Polls once earlier results are on their way: the backlog of a previous process goes first.</summary>
internal sealed class PollerWorker(OperationPoller poller, ResultPublisher publisher) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await publisher.BacklogDispatched.WaitAsync(stoppingToken);
        await poller.RunAsync(stoppingToken);
    }
}
