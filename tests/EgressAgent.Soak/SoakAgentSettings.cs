using EgressAgent.EndToEnd.Tests.Harness;
using EgressAgent.Soak.Work;

namespace EgressAgent.Soak;

/// <summary>How every soak agent is configured: short intervals so faults show and heal within seconds.</summary>
internal static class SoakAgentSettings
{
    public const string TokenId = "soak-key";
    public const string SqliteConnection = "lite";
    public const string PostgresConnection = "pg";
    public const int Workers = 4;

    /// <summary><c>Shutdown:Budget</c>: SIGTERM must end within it + 2 s (§7.6).</summary>
    public static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(5);

    public static AgentSettings For(Uri baseUrl, string dataDirectory, SoakSecrets secrets, DataSources sources)
    {
        var settings = new AgentSettings()
            .Set("Orchestrator:BaseUrl", baseUrl.ToString())
            .Set("Orchestrator:TokenId", TokenId)
            .Set("Orchestrator:TokenSecret", secrets.OrchestratorToken)
            .Set("Operations:Workers", Workers.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Set("Operations:PollInterval", "00:00:05")
            .Set("Heartbeat:Interval", "00:00:05")
            .Set("Events:IdleTimeout", "00:00:15")
            .Set("Events:MaxReconnectDelay", "00:00:05")
            .Set("Shutdown:Budget", ShutdownBudget.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
            .Set("Storage:DataDirectory", dataDirectory)
            .Set("Management:Urls", "http://127.0.0.1:0")
            .Set($"Connections:{SqliteConnection}:Provider", "sqlite")
            .Set($"Connections:{SqliteConnection}:ConnectionString", $"Data Source={sources.SqliteFile}");
        if (sources.Postgres is { } postgres)
        {
            // Trust authentication ignores the password; it is there to be kept secret (§8: never logged).
            settings.Set($"Connections:{PostgresConnection}:Provider", "postgres")
                .Set($"Connections:{PostgresConnection}:ConnectionString", $"{postgres.ConnectionString};Password={secrets.ConnectionStringPassword}");
        }

        return settings;
    }
}
