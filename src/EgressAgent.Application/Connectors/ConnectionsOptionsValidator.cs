using FluentValidation;

namespace EgressAgent.Application.Connectors;

public sealed class ConnectionsOptionsValidator : AbstractValidator<ConnectionsOptions>
{
    private static readonly string[] Providers = ["sqlite", "postgres"];

    public ConnectionsOptionsValidator() =>
        RuleForEach(o => o)
            .Must(c => c.Value.Provider is { } p && Providers.Contains(p, StringComparer.OrdinalIgnoreCase))
            .WithMessage((_, c) => $"EgressAgent:Connections:{c.Key}:Provider must be 'sqlite' or 'postgres'.")
            .Must(c => !string.IsNullOrWhiteSpace(c.Value.ConnectionString))
            .WithMessage((_, c) => $"EgressAgent:Connections:{c.Key}:ConnectionString is required.");
}
