using FluentValidation;

namespace EgressAgent.Application.Configuration;

internal sealed class ResultsOptionsValidator : AbstractValidator<ResultsOptions>
{
    public ResultsOptionsValidator() =>
        RuleFor(o => o.TimeToLive).PositiveDuration("EgressAgent:Results:TimeToLive");
}
