using System.Text.Json.Nodes;

namespace EgressAgent.Application.Connectors;

/// <summary>
/// Where a self-hosted secret lives (docs/protocol.md §12.4): <c>credentials.self_hosted_credentials_type</c>
/// names the source by its <see cref="Type"/>. Implementations live in Infrastructure's
/// <c>Connectors/Secrets</c> and are found by scanning: a new source is one new file.
/// </summary>
public interface ISelfHostedSecretSource
{
    /// <summary>The <c>self_hosted_credentials_type</c> this source serves (<c>env_var</c>, <c>file</c>, …).</summary>
    string Type { get; }

    /// <summary>
    /// The secret's text, read with the locator fields of <paramref name="credentials"/>
    /// (<c>env_var_name</c>, <c>file_path</c>). Anything that prevents reading it throws
    /// <see cref="SelfHostedCredentialsException"/> whose reason names the variable or path, never a secret.
    /// </summary>
    Task<SelfHostedSecret> ReadAsync(JsonObject credentials, CancellationToken cancellationToken);
}
