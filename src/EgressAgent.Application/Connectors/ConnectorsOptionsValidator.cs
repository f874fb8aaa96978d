using EgressAgent.Application.Configuration;
using FluentValidation;

namespace EgressAgent.Application.Connectors;

public sealed class ConnectorsOptionsValidator : AbstractValidator<ConnectorsOptions>
{
    private static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    public ConnectorsOptionsValidator()
    {
        RuleFor(o => o.ClientCacheExpiration)
            .Must(d => d >= TimeSpan.Zero && d <= Longest)
            .WithMessage("EgressAgent:Connectors:ClientCacheExpiration must be a duration from 00:00:00 (no cache) to 30 days.");
        RuleFor(o => o.SecretCacheExpiration).PositiveDuration("EgressAgent:Connectors:SecretCacheExpiration");
    }
}
