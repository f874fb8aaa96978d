using FluentValidation;

namespace EgressAgent.Application.Configuration;

public sealed class ShutdownOptionsValidator : AbstractValidator<ShutdownOptions>
{
    public ShutdownOptionsValidator() =>
        RuleFor(o => o.Budget).PositiveDuration("EgressAgent:Shutdown:Budget");
}
