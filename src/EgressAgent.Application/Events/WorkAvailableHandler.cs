using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Intake;

namespace EgressAgent.Application.Events;

/// <summary>Wakes the poller; the signal is level-triggered, so one arriving mid-fetch causes another fetch.</summary>
internal sealed class WorkAvailableHandler(IWorkSignal workSignal) : IOrchestratorEventHandler<WorkAvailableEvent>
{
    public Task Handle(WorkAvailableEvent notification, CancellationToken cancellationToken)
    {
        workSignal.Signal();
        return Task.CompletedTask;
    }
}
