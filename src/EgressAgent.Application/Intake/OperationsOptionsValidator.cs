using EgressAgent.Application.Configuration;
using EgressAgent.Application.Lifecycle;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace EgressAgent.Application.Intake;

/// <summary>
/// <c>EgressAgent:Operations</c>, and the one rule across sections: the heartbeat interval against
/// the activity timeout, owned here because the activity timeout is the bound (docs/adr/0028).
/// The heartbeat interval is read through its validated options; when it is itself invalid its
/// own validation says so, and this rule stays quiet rather than repeat it.
/// </summary>
public sealed class OperationsOptionsValidator : AbstractValidator<OperationsOptions>
{
    public OperationsOptionsValidator(IOptions<HeartbeatOptions> heartbeat)
    {
        RuleFor(o => o.Workers)
            .InclusiveBetween(1, 256)
            .WithMessage(o => $"EgressAgent:Operations:Workers must be between 1 and 256 (was {o.Workers}).");

        RuleFor(o => o.PollInterval).PositiveDuration("EgressAgent:Operations:PollInterval");
        RuleFor(o => o.ActivityTimeout).PositiveDuration("EgressAgent:Operations:ActivityTimeout");

        RuleFor(o => o)
            .Must(o => o.PollInterval <= o.ActivityTimeout / 2)
            .WithName("EgressAgent:Operations:PollInterval")
            .WithMessage(o => $"EgressAgent:Operations:PollInterval ({o.PollInterval}) must be at most half of EgressAgent:Operations:ActivityTimeout ({o.ActivityTimeout}).");

        RuleFor(o => o.ActivityTimeout)
            .Custom((activityTimeout, context) =>
            {
                if (ValidOrNull(heartbeat) is { } h && h.Interval >= activityTimeout / 2)
                {
                    context.AddFailure($"EgressAgent:Heartbeat:Interval ({h.Interval}) must be below half of EgressAgent:Operations:ActivityTimeout ({activityTimeout}).");
                }
            });
    }

    private static HeartbeatOptions? ValidOrNull(IOptions<HeartbeatOptions> heartbeat)
    {
        try
        {
            return heartbeat.Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
