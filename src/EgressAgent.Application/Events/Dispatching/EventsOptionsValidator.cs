using EgressAgent.Application.Configuration;
using FluentValidation;

namespace EgressAgent.Application.Events.Dispatching;

public sealed class EventsOptionsValidator : AbstractValidator<EventsOptions>
{
    public EventsOptionsValidator()
    {
        RuleFor(o => o.IdleTimeout).PositiveDuration("EgressAgent:Events:IdleTimeout");
        RuleFor(o => o.MaxReconnectDelay).PositiveDuration("EgressAgent:Events:MaxReconnectDelay");
    }
}
