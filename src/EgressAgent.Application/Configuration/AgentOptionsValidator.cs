using FluentValidation;

namespace EgressAgent.Application.Configuration;

/// <summary>
/// Every rule of docs/protocol.md §8 at once, so an operator sees all problems in one run (exit 2).
/// Messages name the configuration key and never echo a secret value.
/// </summary>
internal sealed class AgentOptionsValidator : AbstractValidator<AgentOptions>
{
    private static readonly string[] Providers = ["sqlite", "postgres"];

    public AgentOptionsValidator()
    {
        RuleFor(o => o.Orchestrator.BaseUrl)
            .NotEmpty().WithMessage("EgressAgent:Orchestrator:BaseUrl is required.")
            // CurrentValidator: a When applies to every earlier validator of the rule by default,
            // which would switch NotEmpty off exactly when the URL is missing.
            .Must(BeHttpUrl).When(o => !string.IsNullOrEmpty(o.Orchestrator.BaseUrl), ApplyConditionTo.CurrentValidator)
            .WithMessage("EgressAgent:Orchestrator:BaseUrl must be an absolute http or https URL.");

        RuleFor(o => o.Orchestrator)
            .Must(HaveOneCredentialSource)
            .WithMessage("Set EgressAgent:Orchestrator:TokenId and TokenSecret, or EgressAgent:Orchestrator:TokenFile.");

        RuleFor(o => o.Orchestrator.TokenFile)
            .Custom((path, context) =>
            {
                if (!string.IsNullOrEmpty(path) && !TokenFile.TryRead(path, out _, out _, out var problem))
                {
                    context.AddFailure($"EgressAgent:Orchestrator:TokenFile: {problem}");
                }
            });

        Positive(o => o.Orchestrator.AuthFailureExitAfter, "Orchestrator:AuthFailureExitAfter");
        Positive(o => o.Events.IdleTimeout, "Events:IdleTimeout");
        Positive(o => o.Events.MaxReconnectDelay, "Events:MaxReconnectDelay");
        Positive(o => o.Operations.PollInterval, "Operations:PollInterval");
        Positive(o => o.Operations.ActivityTimeout, "Operations:ActivityTimeout");
        Positive(o => o.Heartbeat.Interval, "Heartbeat:Interval");
        Positive(o => o.Shutdown.Budget, "Shutdown:Budget");
        Positive(o => o.Results.TimeToLive, "Results:TimeToLive");
        Positive(o => o.Orchestrator.Timeouts.FetchOperation, "Orchestrator:Timeouts:FetchOperation");
        Positive(o => o.Orchestrator.Timeouts.PublishResult, "Orchestrator:Timeouts:PublishResult");
        Positive(o => o.Orchestrator.Timeouts.Heartbeat, "Orchestrator:Timeouts:Heartbeat");
        Positive(o => o.Orchestrator.Timeouts.NotifyShutdown, "Orchestrator:Timeouts:NotifyShutdown");
        Positive(o => o.Orchestrator.Timeouts.DownloadOperation, "Orchestrator:Timeouts:DownloadOperation");
        Positive(o => o.Orchestrator.Timeouts.Ping, "Orchestrator:Timeouts:Ping");

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

        RuleFor(o => o.Management.Urls)
            .Custom((urls, context) =>
            {
                foreach (var problem in ManagementUrls.Problems(urls))
                {
                    context.AddFailure($"EgressAgent:Management:Urls: {problem}");
                }
            });

        RuleForEach(o => o.Connections)
            .Must(c => c.Value.Provider is { } p && Providers.Contains(p, StringComparer.OrdinalIgnoreCase))
            .WithMessage((_, c) => $"EgressAgent:Connections:{c.Key}:Provider must be 'sqlite' or 'postgres'.")
            .Must(c => !string.IsNullOrWhiteSpace(c.Value.ConnectionString))
            .WithMessage((_, c) => $"EgressAgent:Connections:{c.Key}:ConnectionString is required.");
    }

    /// <summary>Timers cannot wait longer than ~49 days; no setting of the agent needs more than 30.</summary>
    private static readonly TimeSpan LongestDuration = TimeSpan.FromDays(30);

    private void Positive(System.Linq.Expressions.Expression<Func<AgentOptions, TimeSpan>> property, string key) =>
        RuleFor(property)
            .Must(d => d > TimeSpan.Zero && d <= LongestDuration)
            .WithMessage($"EgressAgent:{key} must be a positive duration of at most 30 days.");

    private static bool BeHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool HaveOneCredentialSource(OrchestratorOptions o) =>
        !string.IsNullOrEmpty(o.TokenFile)
        || (!string.IsNullOrEmpty(o.TokenId) && !string.IsNullOrEmpty(o.TokenSecret));
}
