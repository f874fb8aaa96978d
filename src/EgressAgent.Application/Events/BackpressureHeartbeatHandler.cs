using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Intake;

namespace EgressAgent.Application.Events;

/// <summary>While saturated, the poller is silent: answer the server's heartbeat with E3 so we look alive.</summary>
internal sealed class BackpressureHeartbeatHandler(IBackpressure backpressure) : IOrchestratorEventHandler<HeartbeatEvent>
{
    public Task Handle(HeartbeatEvent notification, CancellationToken cancellationToken)
    {
        if (backpressure.IsSaturated)
        {
            backpressure.RequestHeartbeat();
        }

        return Task.CompletedTask;
    }
}
