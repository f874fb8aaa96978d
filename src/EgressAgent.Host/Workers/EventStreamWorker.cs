using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Pipeline;
using EgressAgent.Application.Ports;
using Microsoft.Extensions.Hosting;

namespace EgressAgent.Host.Workers;

/// <summary>Socket to handler: reads the stream until intake stops and hands each message to the dispatcher.</summary>
internal sealed class EventStreamWorker(IOrchestratorEventStream stream, EventDispatcher dispatcher, PipelineTokens tokens) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tokens.Intake);
        await foreach (var message in stream.ReadAsync(linked.Token))
        {
            await dispatcher.DispatchAsync(message, linked.Token);
        }
    }
}
