using EgressAgent.Application.Ports;
using EgressAgent.Domain.Capacity;

namespace EgressAgent.Application.Pipeline;

internal sealed class Backpressure(InFlightCounter inFlight, HeartbeatPump pump) : IBackpressure
{
    public bool IsSaturated => inFlight.IsSaturated;

    public void RequestHeartbeat() => pump.RequestBeat();
}
