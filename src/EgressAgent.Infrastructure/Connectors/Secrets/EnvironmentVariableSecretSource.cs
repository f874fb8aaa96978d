using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;

namespace EgressAgent.Infrastructure.Connectors.Secrets;

/// <summary><c>self_hosted_credentials_type: env_var</c>: the secret is the value of the environment variable <c>env_var_name</c>.</summary>
internal sealed class EnvironmentVariableSecretSource : ISelfHostedSecretSource
{
    private const string NameField = "env_var_name";

    public string Type => "env_var";

    public Task<SelfHostedSecret> ReadAsync(JsonObject credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var name = credentials[NameField] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (string.IsNullOrEmpty(name))
        {
            throw new SelfHostedCredentialsException($"{NameField} must be a non-empty string");
        }

        var origin = $"environment variable {name}";
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value)
            ? throw new SelfHostedCredentialsException($"{origin} is not set")
            : Task.FromResult(new SelfHostedSecret(origin, value));
    }
}
