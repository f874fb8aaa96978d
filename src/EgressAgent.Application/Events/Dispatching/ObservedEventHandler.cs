using System.Diagnostics;
using EgressAgent.Domain.Faults;
using MediatR;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Wraps every event handler (a Scrutor decorator, since MediatR behaviours do not wrap
/// notifications): a log scope naming the event, timing, and a throwing handler logged
/// instead of reaching the stream loop.
/// </summary>
internal sealed partial class ObservedEventHandler<TEvent>(INotificationHandler<TEvent> inner, ILogger<ObservedEventHandler<TEvent>> logger)
    : INotificationHandler<TEvent>
    where TEvent : INotification
{
    public async Task Handle(TEvent notification, CancellationToken cancellationToken)
    {
        var handlerName = inner.GetType().Name;
        using var scope = logger.BeginScope("{EventType} → {Handler}", typeof(TEvent).Name, handlerName);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.Handle(notification, cancellationToken);
            LogHandled(logger, handlerName, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex.IsRecoverable())
        {
            LogHandlerFailed(logger, ex, handlerName, typeof(TEvent).Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Handler} handled the event in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string handler, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Handler} failed on a {EventType} event; other handlers and the stream go on")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string handler, string eventType);
}
