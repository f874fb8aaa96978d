using EgressAgent.Application.Configuration;
using FluentValidation;

namespace EgressAgent.Application.Lifecycle;

public sealed class ShutdownOptionsValidator : AbstractValidator<ShutdownOptions>
{
    public ShutdownOptionsValidator() =>
        RuleFor(o => o.Budget).PositiveDuration("EgressAgent:Shutdown:Budget");
}
