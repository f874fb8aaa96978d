using EgressAgent.Application.Liveness;
using EgressAgent.Application.Pipeline;
using EgressAgent.Application.Ports;
using EgressAgent.Domain.Faults;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Socket to handler: reads the stream until intake stops and hands each message to the
/// dispatcher. No single message stops it (docs/protocol.md §10): one whose dispatch throws is logged
/// and skipped, and a stream that fails unexpectedly is opened again after a pause.
/// </summary>
internal sealed partial class EventStreamLoop(
    IOrchestratorEventStream stream,
    IEventDispatcher dispatcher,
    PipelineTokens tokens,
    TimeProvider timeProvider,
    ILogger<EventStreamLoop> logger,
    ILoopProgress? progress = null) // optional: rigs that do not watch liveness leave it out
{
    /// <summary>Between a stream that failed unexpectedly and the next one: no tight loop on a persistent fault.</summary>
    internal static readonly TimeSpan RestartPause = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tokens.Intake);
        var stop = linked.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ReadAsync(stop);
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                // The stream owns reconnects and ends only when stopped: an end here is a fault too.
                LogStreamEnded(logger);
            }
            catch (Exception ex) when (ex.IsRecoverable())
            {
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                LogStreamFailed(logger, ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(RestartPause, timeProvider, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task ReadAsync(CancellationToken stop)
    {
        await foreach (var message in stream.ReadAsync(stop))
        {
            try
            {
                using var step = progress?.Working(AgentLoops.Stream, AgentLoops.DispatchBound);
                await dispatcher.DispatchAsync(message, stop);
            }
            catch (Exception ex) when (ex.IsRecoverable() && !stop.IsCancellationRequested)
            {
                LogMessageFailed(logger, message.EventId, ex.GetType().Name, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling stream message {EventId} failed ({ErrorType}: {Error}); the stream goes on")]
    private static partial void LogMessageFailed(ILogger logger, string? eventId, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The event stream ended unexpectedly; opening it again")]
    private static partial void LogStreamEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The event stream failed unexpectedly ({ErrorType}: {Error}); opening it again")]
    private static partial void LogStreamFailed(ILogger logger, string errorType, string error);
}
