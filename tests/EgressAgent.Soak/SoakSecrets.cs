using System.Security.Cryptography;

namespace EgressAgent.Soak;

/// <summary>
/// The secrets a soak hands the agents, each recognisable and fresh per run, so finding one in an
/// output means it leaked. Findings name the secret, never print it.
/// </summary>
internal sealed class SoakSecrets
{
    private readonly List<(string Name, string Value)> _all;

    private SoakSecrets(string? mariaDbPassword)
    {
        _all =
        [
            ("orchestrator token", OrchestratorToken),
            ("connector password", ConnectorPassword),
            ("connection string password", ConnectionStringPassword),
        ];
        if (mariaDbPassword is { Length: >= 8 })
        {
            _all.Add(("MariaDB password", mariaDbPassword));
        }
    }

    /// <summary>x-mcd-token (§2).</summary>
    public string OrchestratorToken { get; } = Fresh("soak-ORCHESTRATOR-TOKEN");

    /// <summary>The <c>password</c> in connector credentials (§12.1).</summary>
    public string ConnectorPassword { get; } = Fresh("soak-CONNECTOR-PASSWORD");

    /// <summary>The password in a configured connection string (§8 <c>Connections:&lt;name&gt;:ConnectionString</c>).</summary>
    public string ConnectionStringPassword { get; } = Fresh("soak-CONNSTRING-PASSWORD");

    public static SoakSecrets Create(string? mariaDbPassword) => new(mariaDbPassword);

    /// <summary>The names of the secrets <paramref name="text"/> holds.</summary>
    public IEnumerable<string> NamesFoundIn(string text) =>
        _all.Where(s => text.Contains(s.Value, StringComparison.Ordinal)).Select(s => s.Name);

    private static string Fresh(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
}
