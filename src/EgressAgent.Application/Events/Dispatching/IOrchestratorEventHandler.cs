using MediatR;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>Handles one event type. One file per event holds the record, its validator and its handler(s).</summary>
public interface IOrchestratorEventHandler<in TEvent> : INotificationHandler<TEvent>
    where TEvent : IOrchestratorEvent;
