using FluentValidation;

namespace EgressAgent.Application.Health;

public sealed class ManagementOptionsValidator : AbstractValidator<ManagementOptions>
{
    public ManagementOptionsValidator() =>
        RuleFor(o => o.Urls)
            .Custom((urls, context) =>
            {
                foreach (var problem in ManagementUrls.Problems(urls))
                {
                    context.AddFailure($"EgressAgent:Management:Urls: {problem}");
                }
            });
}
