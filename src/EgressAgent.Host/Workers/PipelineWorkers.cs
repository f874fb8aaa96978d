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

internal sealed class ResultPublisherWorker(ResultPublisher publisher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => publisher.RunAsync(stoppingToken);
}

internal sealed class HeartbeatWorker(HeartbeatPump pump) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pump.RunAsync(stoppingToken);
}

/// <summary>Polls once earlier results are on their way: the backlog of a previous process goes first.</summary>
internal sealed class PollerWorker(OperationPoller poller, ResultPublisher publisher) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await publisher.BacklogDispatched.WaitAsync(stoppingToken);
        await poller.RunAsync(stoppingToken);
    }
}
