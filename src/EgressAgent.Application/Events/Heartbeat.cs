using System.Text.Json;
using EgressAgent.Application.Events.Dispatching;
using EgressAgent.Application.Ports;
using FluentValidation;

namespace EgressAgent.Application.Events;

/// <summary>The orchestrator's keep-alive; <c>ts</c> is its clock, a number or a string.</summary>
[OrchestratorEvent("heartbeat")]
public sealed record HeartbeatEvent(JsonElement? Ts = null) : IOrchestratorEvent;

internal sealed class HeartbeatEventValidator : AbstractValidator<HeartbeatEvent>
{
    public HeartbeatEventValidator() =>
        RuleFor(e => e.Ts)
            .Must(ts => ts is null || ts.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null)
            .WithMessage("'ts' must be a number or a string");
}

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
