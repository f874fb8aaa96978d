using FluentValidation;

namespace EgressAgent.Application.Configuration;

public sealed class EventsOptionsValidator : AbstractValidator<EventsOptions>
{
    public EventsOptionsValidator()
    {
        RuleFor(o => o.IdleTimeout).PositiveDuration("EgressAgent:Events:IdleTimeout");
        RuleFor(o => o.MaxReconnectDelay).PositiveDuration("EgressAgent:Events:MaxReconnectDelay");
    }
}
