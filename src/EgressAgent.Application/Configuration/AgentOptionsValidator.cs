using FluentValidation;

namespace EgressAgent.Application.Configuration;

/// <summary>
/// Every rule of contract §8 at once, so an operator sees all problems in one run (exit 2).
/// Messages name the configuration key and never echo a secret value.
/// </summary>
internal sealed class AgentOptionsValidator : AbstractValidator<AgentOptions>
{
    private static readonly string[] Providers = ["sqlite", "postgres"];

    public AgentOptionsValidator()
    {
        RuleFor(o => o.Orchestrator.BaseUrl)
            .NotEmpty().WithMessage("EgressAgent:Orchestrator:BaseUrl is required.")
            // CurrentValidator: by default When() guards every validator before it, NotEmpty included,
            // which silenced the missing-URL problem.
            .Must(BeHttpUrl).When(o => !string.IsNullOrEmpty(o.Orchestrator.BaseUrl), ApplyConditionTo.CurrentValidator)
            .WithMessage("EgressAgent:Orchestrator:BaseUrl must be an absolute http or https URL.");

        RuleFor(o => o.Orchestrator)
            .Must(HaveOneCredentialSource)
            .WithMessage("Set EgressAgent:Orchestrator:TokenId and TokenSecret, or EgressAgent:Orchestrator:TokenFile.");

        RuleFor(o => o.Orchestrator.TokenFile)
            .Must(File.Exists!).When(o => !string.IsNullOrEmpty(o.Orchestrator.TokenFile))
            .WithMessage(o => $"EgressAgent:Orchestrator:TokenFile '{o.Orchestrator.TokenFile}' does not exist.");

        Positive(o => o.Orchestrator.AuthFailureExitAfter, "Orchestrator:AuthFailureExitAfter");
        Positive(o => o.Events.IdleTimeout, "Events:IdleTimeout");
        Positive(o => o.Events.MaxReconnectDelay, "Events:MaxReconnectDelay");
        Positive(o => o.Operations.PollInterval, "Operations:PollInterval");
        Positive(o => o.Operations.ActivityTimeout, "Operations:ActivityTimeout");
        Positive(o => o.Heartbeat.Interval, "Heartbeat:Interval");
        Positive(o => o.Shutdown.Budget, "Shutdown:Budget");
        Positive(o => o.Results.TimeToLive, "Results:TimeToLive");

        RuleFor(o => o.Operations.Workers)
            .InclusiveBetween(1, 256)
            .WithMessage(o => $"EgressAgent:Operations:Workers must be between 1 and 256 (was {o.Operations.Workers}).");

        RuleFor(o => o)
            .Must(o => o.Operations.PollInterval <= o.Operations.ActivityTimeout / 2)
            .WithName("EgressAgent:Operations:PollInterval")
            .WithMessage(o => $"EgressAgent:Operations:PollInterval ({o.Operations.PollInterval}) must be at most half of EgressAgent:Operations:ActivityTimeout ({o.Operations.ActivityTimeout}).");

        RuleFor(o => o)
            .Must(o => o.Heartbeat.Interval < o.Operations.ActivityTimeout / 2)
            .WithName("EgressAgent:Heartbeat:Interval")
            .WithMessage(o => $"EgressAgent:Heartbeat:Interval ({o.Heartbeat.Interval}) must be below half of EgressAgent:Operations:ActivityTimeout ({o.Operations.ActivityTimeout}).");

        RuleFor(o => o.Storage.DataDirectory)
            .NotEmpty().WithMessage("EgressAgent:Storage:DataDirectory must not be empty.");

        RuleForEach(o => o.Connections)
            .Must(c => c.Value.Provider is { } p && Providers.Contains(p, StringComparer.OrdinalIgnoreCase))
            .WithMessage((_, c) => $"EgressAgent:Connections:{c.Key}:Provider must be 'sqlite' or 'postgres'.")
            .Must(c => !string.IsNullOrWhiteSpace(c.Value.ConnectionString))
            .WithMessage((_, c) => $"EgressAgent:Connections:{c.Key}:ConnectionString is required.");
    }

    private void Positive(System.Linq.Expressions.Expression<Func<AgentOptions, TimeSpan>> property, string key) =>
        RuleFor(property).GreaterThan(TimeSpan.Zero).WithMessage($"EgressAgent:{key} must be a positive duration.");

    private static bool BeHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool HaveOneCredentialSource(OrchestratorOptions o) =>
        !string.IsNullOrEmpty(o.TokenFile)
        || (!string.IsNullOrEmpty(o.TokenId) && !string.IsNullOrEmpty(o.TokenSecret));
}
