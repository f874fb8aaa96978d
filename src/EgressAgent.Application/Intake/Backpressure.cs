using EgressAgent.Application.Lifecycle;
using EgressAgent.Domain.Capacity;

namespace EgressAgent.Application.Intake;

internal sealed class Backpressure(InFlightCounter inFlight, HeartbeatPump pump) : IBackpressure
{
    public bool IsSaturated => inFlight.IsSaturated;

    public void RequestHeartbeat() => pump.RequestBeat();
}
