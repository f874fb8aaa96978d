using Microsoft.Data.Sqlite;
using MySqlConnector;
using Npgsql;

namespace EgressAgent.Soak.Work;

/// <summary>
/// The databases the soak's SQL work reads: a SQLite file it makes, and the PostgreSQL and MariaDB
/// test servers when <c>EGRESS_TEST_POSTGRES</c> / <c>EGRESS_TEST_MARIADB</c> name them (as
/// <c>.ci/run</c> does); without them that work is left out of the mix.
/// </summary>
internal sealed class DataSources
{
    public const int SqliteRows = 200;

    private DataSources(string sqliteFile, NpgsqlConnectionStringBuilder? postgres, MySqlConnectionStringBuilder? mariaDb)
    {
        SqliteFile = sqliteFile;
        Postgres = postgres;
        MariaDb = mariaDb;
    }

    public string SqliteFile { get; }

    public NpgsqlConnectionStringBuilder? Postgres { get; }

    public MySqlConnectionStringBuilder? MariaDb { get; }

    public static DataSources Create(string directory)
    {
        var file = Path.Combine(directory, "soak.db");
        using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount REAL);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {SqliteRows})
                INSERT INTO items SELECT i, 'item-' || i, i * 1.5 FROM n;
                """;
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        return new DataSources(
            file,
            Environment.GetEnvironmentVariable("EGRESS_TEST_POSTGRES") is { Length: > 0 } pg ? new NpgsqlConnectionStringBuilder(pg) : null,
            Environment.GetEnvironmentVariable("EGRESS_TEST_MARIADB") is { Length: > 0 } my ? new MySqlConnectionStringBuilder(my) : null);
    }
}
