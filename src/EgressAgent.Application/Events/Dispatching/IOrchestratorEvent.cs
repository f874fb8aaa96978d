using MediatR;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// An event from the orchestrator's stream. The project's own contract over MediatR's
/// <see cref="INotification"/>, so replacing MediatR touches the dispatching folder only.
/// </summary>
public interface IOrchestratorEvent : INotification;

/// <summary>Handles one event type. One file per event holds the record, its validator and its handler(s).</summary>
public interface IOrchestratorEventHandler<in TEvent> : INotificationHandler<TEvent>
    where TEvent : IOrchestratorEvent;

/// <summary>The wire name in the JSON <c>type</c> field that selects this event record.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class OrchestratorEventAttribute(string type) : Attribute
{
    public string Type { get; } = type;
}
