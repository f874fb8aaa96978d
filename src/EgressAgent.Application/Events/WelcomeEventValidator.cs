using FluentValidation;

namespace EgressAgent.Application.Events;

internal sealed class WelcomeEventValidator : AbstractValidator<WelcomeEvent>
{
    public WelcomeEventValidator() => RuleFor(e => e.AgentId).NotEmpty().WithMessage("'agent_id' must be a non-empty string");
}
