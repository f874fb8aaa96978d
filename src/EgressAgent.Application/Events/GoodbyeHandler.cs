using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Lifecycle;

namespace EgressAgent.Application.Events;

/// <summary>Starts the shutdown sequence without waiting for it: the sequence closes the stream this runs on.</summary>
internal sealed class GoodbyeHandler(IShutdownCoordinator shutdown) : IOrchestratorEventHandler<GoodbyeEvent>
{
    public Task Handle(GoodbyeEvent notification, CancellationToken cancellationToken)
    {
        shutdown.RequestShutdown(ShutdownTrigger.Goodbye, notification.ReasonOrUnknown);
        return Task.CompletedTask;
    }
}
