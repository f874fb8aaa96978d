using FluentValidation;

namespace EgressAgent.Application.Configuration;

/// <summary>The rule every duration setting shares; messages name the key (docs/protocol.md §8).</summary>
internal static class Durations
{
    /// <summary>Timers cannot wait longer than ~49 days; no setting of the agent needs more than 30.</summary>
    private static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    public static IRuleBuilderOptions<T, TimeSpan> PositiveDuration<T>(this IRuleBuilder<T, TimeSpan> rule, string key) =>
        rule.Must(d => d > TimeSpan.Zero && d <= Longest)
            .WithMessage($"{key} must be a positive duration of at most 30 days.");
}
