using EgressAgent.Application.Orchestrator;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Credentials;

/// <summary>
/// Reads the credential fresh for every request and every stream (re)connect, so a rotated
/// token file is used without a restart. A token file wins over configuration values.
/// </summary>
internal sealed class CredentialSource(IOptionsMonitor<OrchestratorOptions> options)
{
    public Credential Read()
    {
        var orchestrator = options.CurrentValue;
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

    private static Credential ReadFile(string path) =>
        TokenFile.TryRead(path, out var id, out var secret, out var problem)
            ? new Credential(id, secret)
            : throw new CredentialUnavailableException(problem);
}
