using System.Text.Json;
using EgressAgent.Application.Configuration;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Credentials;

/// <summary>The credential for one request.</summary>
internal sealed record Credential(string Id, string Secret)
{
    /// <summary>Never prints the secret, whatever logs or formats this record.</summary>
    public override string ToString() => $"Credential {{ Id = {Id} }}";
}

/// <summary>
/// Reads the credential fresh for every request and every stream (re)connect, so a rotated
/// token file is used without a restart. A token file wins over configuration values.
/// </summary>
internal sealed class CredentialSource(IOptionsMonitor<AgentOptions> options)
{
    public Credential Read()
    {
        var orchestrator = options.CurrentValue.Orchestrator;
        if (!string.IsNullOrEmpty(orchestrator.TokenFile))
        {
            return ReadFile(orchestrator.TokenFile);
        }

        if (string.IsNullOrEmpty(orchestrator.TokenId) || string.IsNullOrEmpty(orchestrator.TokenSecret))
        {
            throw new CredentialUnavailableException("No credential is configured (EgressAgent:Orchestrator:TokenId/TokenSecret or TokenFile).");
        }

        return new Credential(orchestrator.TokenId, orchestrator.TokenSecret);
    }

    private static Credential ReadFile(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("mcd_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } idText
                && root.TryGetProperty("mcd_token", out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } tokenText)
            {
                return new Credential(idText, tokenText);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // The message names the file and the failure kind only: a JSON error could quote the secret.
            throw new CredentialUnavailableException($"Token file '{path}' could not be read ({ex.GetType().Name}).");
        }

        throw new CredentialUnavailableException($"Token file '{path}' must be a JSON object with non-empty string fields mcd_id and mcd_token.");
    }
}

/// <summary>No usable credential: the request is not sent rather than sent with a placeholder.</summary>
internal sealed class CredentialUnavailableException : Exception
{
    public CredentialUnavailableException()
    {
    }

    public CredentialUnavailableException(string message)
        : base(message)
    {
    }

    public CredentialUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
