using System.Diagnostics;
using EgressAgent.Domain.Faults;
using MediatR;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Wraps every event handler (a Scrutor decorator, since MediatR behaviours do not wrap
/// notifications): a log scope naming the event, timing, and a throwing handler logged with its
/// name. It catches nothing: the one catch-all of the event path is the dispatcher's, per message
/// (<see cref="EventDispatcher.DispatchAsync"/>), and every other handler of the event still runs
/// (<see cref="ResilientMediator"/>) (docs/adr/0051).
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
        catch (Exception ex) when (Failed(ex, handlerName, cancellationToken))
        {
            throw; // never reached: the filter logs while the scope is open, then lets the exception go on
        }
    }

    private bool Failed(Exception exception, string handlerName, CancellationToken cancellationToken)
    {
        if (exception.IsRecoverable() && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            LogHandlerFailed(logger, exception, handlerName, typeof(TEvent).Name);
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Handler} handled the event in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string handler, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Handler} failed on a {EventType} event; the other handlers and the stream go on")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string handler, string eventType);
}
