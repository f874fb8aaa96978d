using EgressAgent.Application.Configuration;
using FluentValidation;

namespace EgressAgent.Application.Results;

public sealed class ResultsOptionsValidator : AbstractValidator<ResultsOptions>
{
    public ResultsOptionsValidator() =>
        RuleFor(o => o.TimeToLive).PositiveDuration("EgressAgent:Results:TimeToLive");
}
