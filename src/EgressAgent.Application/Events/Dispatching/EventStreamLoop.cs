using EgressAgent.Application.Health;
using EgressAgent.Application.Lifecycle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Socket to handler: reads the stream until intake stops and hands each message to the
/// dispatcher, which logs and skips whatever one message does wrong (docs/protocol.md §10). A
/// stream that ends or fails unexpectedly is opened again after a pause. With
/// <c>Events:Enabled</c> false no stream is opened: the loop only waits to be stopped.
/// </summary>
internal sealed partial class EventStreamLoop(
    IOrchestratorEventStream stream,
    IEventDispatcher dispatcher,
    PipelineTokens tokens,
    IOptions<EventsOptions> events,
    TimeProvider timeProvider,
    ILogger<EventStreamLoop> logger,
    ILoopProgress? progress = null) // optional: rigs that do not watch liveness leave it out
    : RestartingLoop(logger, progress)
{
    /// <summary>Between a stream that failed unexpectedly and the next one: no tight loop on a persistent fault.</summary>
    internal static readonly TimeSpan RestartPause = TimeSpan.FromSeconds(1);

    public override string Name => AgentLoops.Stream;

    protected override CancellationToken StoppedBy => tokens.Intake;

    protected override async Task RoundAsync(CancellationToken stop)
    {
        if (!events.Value.Enabled)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, stop);
        }

        await foreach (var message in stream.ReadAsync(stop))
        {
            using var step = Step(AgentLoops.DispatchBound);
            await dispatcher.DispatchAsync(message, stop);
        }

        // The stream owns reconnects and ends only when stopped: an end here is a fault too.
        if (!stop.IsCancellationRequested)
        {
            LogStreamEnded(logger);
        }
    }

    protected override Task BetweenRoundsAsync(bool failed, CancellationToken stop) =>
        Task.Delay(RestartPause, timeProvider, stop);

    [LoggerMessage(Level = LogLevel.Error, Message = "The event stream ended unexpectedly; opening it again")]
    private static partial void LogStreamEnded(ILogger logger);
}
