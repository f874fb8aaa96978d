using EgressAgent.Application.Configuration;
using EgressAgent.Application.Intake;
using FluentValidation;

namespace EgressAgent.Application.Lifecycle;

/// <summary><c>EgressAgent:Heartbeat</c>; its rule against the activity timeout is <see cref="OperationsOptionsValidator"/>'s.</summary>
public sealed class HeartbeatOptionsValidator : AbstractValidator<HeartbeatOptions>
{
    public HeartbeatOptionsValidator() =>
        RuleFor(o => o.Interval).PositiveDuration("EgressAgent:Heartbeat:Interval");
}
