using Microsoft.Data.Sqlite;

namespace EgressAgent.Host.Commands;

/// <summary>The demo's SQLite file: a small <c>crew</c> table the <c>sql/query</c> samples read.</summary>
internal static class DemoDatabase
{
    public const string ConnectionName = "demo";

    /// <summary>The file <see cref="Create"/> makes under <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(directory, "demo.db");

    /// <summary>Creates <c>demo.db</c> under <paramref name="directory"/>; returns its connection string.</summary>
    public static string Create(string directory)
    {
        // Owner only, as the agent makes its own data directory: the demo's is the agent's too (docs/protocol.md §10 "Files").
        _ = OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(directory)
            : Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = PathIn(directory);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        using (var connection = new SqliteConnection(builder.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                create table crew (id integer primary key, name text not null, role text not null, joined DATE, salary DECIMAL(10,2));
                insert into crew (name, role, joined, salary) values
                  ('Ada Lovelace', 'navigator', '2021-03-04', 5200.50),
                  ('Grace Hopper', 'engineer', '2019-11-30', 6100.00),
                  ('Katherine Johnson', 'pilot', '2023-07-01', 4800.75),
                  ('Alan Turing', 'engineer', '2022-01-17', 5900.25);
                """;
            command.ExecuteNonQuery();
        }

        // The agent opens it read-only whatever this says (docs/adr/0009).
        return new SqliteConnectionStringBuilder { DataSource = path }.ToString();
    }
}
