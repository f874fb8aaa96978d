using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>A real SQLite file in a temporary directory, with a small <c>crew</c> table and <c>numbers</c> 1..1000.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"egress-sql-test-{Guid.NewGuid():N}");

    public SqliteTestDatabase()
    {
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "test.db");
        Execute("""
            create table crew (id integer primary key, name text not null, joined DATE, salary DECIMAL(10,2), active BOOLEAN, badge BLOB, last_seen DATETIME);
            insert into crew values
              (1, 'Ada', '2021-03-04', 1234.5, 1, x'0102ff', '2024-01-05 10:00:00'),
              (2, 'Grace', '2019-11-30', 2000, 0, null, null),
              (3, 'O''Brien', '2023-07-01', 99.99, 1, x'', '2024-02-29T23:59:59Z');
            create table numbers (n integer primary key);
            with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000) insert into numbers select x from c;
            """);
    }

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

    public long Count(string table) => Scalar($"select count(*) from {table}");

    public long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// True when a writer could take the file at once: no connection holds a read lock on it. A
    /// running query that reads a table holds one until its statement ends.
    /// </summary>
    public bool CanLockExclusively()
    {
        // Raw SQLite with no busy timeout: Microsoft.Data.Sqlite would retry while busy.
        var rc = raw.sqlite3_open_v2(Path, out var db, raw.SQLITE_OPEN_READWRITE, null);
        using (db)
        {
            if (rc != raw.SQLITE_OK)
            {
                throw new InvalidOperationException($"Cannot open the test database: {rc}");
            }

            rc = raw.sqlite3_exec(db, "begin exclusive");
            if (rc == raw.SQLITE_OK)
            {
                raw.sqlite3_exec(db, "rollback");
                return true;
            }

            return rc == raw.SQLITE_BUSY ? false : throw new InvalidOperationException($"begin exclusive failed: {rc}");
        }
    }

    public void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools(); // pooled connections keep the file open
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
