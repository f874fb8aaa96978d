using EgressAgent.Application.Configuration;
using FluentValidation;

namespace EgressAgent.Application.Orchestrator;

/// <summary>docs/protocol.md §8 for <c>EgressAgent:Orchestrator</c>; never echoes a secret value.</summary>
public sealed class OrchestratorOptionsValidator : AbstractValidator<OrchestratorOptions>
{
    public OrchestratorOptionsValidator()
    {
        RuleFor(o => o.BaseUrl)
            .NotEmpty().WithMessage("EgressAgent:Orchestrator:BaseUrl is required.")
            // CurrentValidator: a When applies to every earlier validator of the rule by default,
            // which would switch NotEmpty off exactly when the URL is missing.
            .Must(BeHttpUrl).When(o => !string.IsNullOrEmpty(o.BaseUrl), ApplyConditionTo.CurrentValidator)
            .WithMessage("EgressAgent:Orchestrator:BaseUrl must be an absolute http or https URL.");

        RuleFor(o => o)
            .Must(HaveOneCredentialSource)
            .WithName("EgressAgent:Orchestrator")
            .WithMessage("Set EgressAgent:Orchestrator:TokenId and TokenSecret, or EgressAgent:Orchestrator:TokenFile.");

        RuleFor(o => o.TokenFile)
            .Custom((path, context) =>
            {
                if (!string.IsNullOrEmpty(path) && !TokenFile.TryRead(path, out _, out _, out var problem))
                {
                    context.AddFailure($"EgressAgent:Orchestrator:TokenFile: {problem}");
                }
            });

        RuleFor(o => o.AuthFailureExitAfter).PositiveDuration("EgressAgent:Orchestrator:AuthFailureExitAfter");
    }

    private static bool BeHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool HaveOneCredentialSource(OrchestratorOptions o) =>
        !string.IsNullOrEmpty(o.TokenFile)
        || (!string.IsNullOrEmpty(o.TokenId) && !string.IsNullOrEmpty(o.TokenSecret));
}
