using EgressAgent.Application.Events.Dispatching;
using FluentValidation;
using Microsoft.Extensions.Logging;

namespace EgressAgent.Application.Events;

internal sealed class WelcomeEventValidator : AbstractValidator<WelcomeEvent>
{
    public WelcomeEventValidator() => RuleFor(e => e.AgentId).NotEmpty().WithMessage("'agent_id' must be a non-empty string");
}
