using FluentValidation;

namespace EgressAgent.Application.Configuration;

internal sealed class ResultsOptionsValidator : AbstractValidator<ResultsOptions>
{
    public ResultsOptionsValidator()
    {
        RuleFor(o => o.TimeToLive).PositiveDuration("EgressAgent:Results:TimeToLive");
        RuleFor(o => o.Store)
            .Must(store => store is ResultsOptions.SegmentStore or ResultsOptions.SqliteStore)
            .WithMessage(o => $"EgressAgent:Results:Store must be '{ResultsOptions.SegmentStore}' or '{ResultsOptions.SqliteStore}', not '{o.Store}'.");
    }
}
