namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>SQLite itself refuses writes: the file is opened read-only, whatever the connection string asks.</summary>
public sealed class SqliteReadOnlyTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData("delete from crew")]
    [InlineData("update crew set name = 'x'")]
    [InlineData("insert into crew (id, name) values (9, 'Eve')")]
    [InlineData("drop table crew")]
    [InlineData("select 1; delete from crew")]
    [InlineData("with gone as (select 1) delete from crew")]
    public async Task A_write_is_rejected_by_the_database_and_the_table_is_unchanged(string query)
    {
        var sql = new SqlRun(("main", "sqlite", _database.ConnectionString));

        var result = await sql.RunAsync(SqlRun.Query("main", query));

        // "select 1; delete" succeeds with the select's row: the second statement is never run.
        if (result["__mcd_error_type__"] is { } kind)
        {
            Assert.Equal("SqliteException:SQLITE_READONLY", kind.GetValue<string>());
        }

        Assert.Equal(3, _database.Count("crew"));
    }

    [Theory]
    [InlineData(";Mode=ReadWrite")]
    [InlineData(";Mode=ReadWriteCreate")]
    public async Task A_connection_string_asking_for_write_access_is_still_opened_read_only(string mode)
    {
        var sql = new SqlRun(("main", "sqlite", _database.ConnectionString + mode));

        var (kind, message) = SqlRun.Error(await sql.RunAsync(SqlRun.Query("main", "delete from crew")));

        Assert.Equal("SqliteException:SQLITE_READONLY", kind);
        Assert.Contains("readonly", message, StringComparison.Ordinal);
        Assert.Equal(3, _database.Count("crew"));
    }

    [Fact]
    public async Task A_missing_database_file_is_not_created()
    {
        var missing = Path.Combine(Path.GetDirectoryName(_database.Path)!, "missing.db");
        var sql = new SqlRun(("main", "sqlite", $"Data Source={missing}"));

        var (kind, _) = SqlRun.Error(await sql.RunAsync(SqlRun.Query("main", "select 1")));

        Assert.Equal("SqliteException:SQLITE_CANTOPEN", kind);
        Assert.False(File.Exists(missing));
    }
}
