using MediatR;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// Handles one event type; found by scanning, so a new handler is one new file beside its event's
/// record and validator (docs/adding-an-event-handler.md, docs/adr/0031).
/// </summary>
public interface IOrchestratorEventHandler<in TEvent> : INotificationHandler<TEvent>
    where TEvent : IOrchestratorEvent;
