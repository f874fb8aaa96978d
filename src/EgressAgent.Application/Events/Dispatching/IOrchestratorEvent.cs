using MediatR;

namespace EgressAgent.Application.Events.Dispatching;

/// <summary>
/// An event from the orchestrator's stream. The project's own contract over MediatR's
/// <see cref="INotification"/>, so replacing MediatR touches the dispatching folder only.
/// </summary>
public interface IOrchestratorEvent : INotification;
