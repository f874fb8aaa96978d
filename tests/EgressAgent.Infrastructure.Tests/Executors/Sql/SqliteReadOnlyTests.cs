using EgressAgent.Infrastructure.Executors.Sql;
using SQLitePCL;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// Read-only in fact (docs/protocol.md §10): the file is opened read-only whatever the connection
/// string asks, and an authorizer refuses, before it runs, every statement that is not a read —
/// including those read-only flags let through (<c>VACUUM INTO</c>, <c>ATTACH</c>, temporary
/// tables, transactions, pragmas, <c>load_extension</c>).
/// </summary>
public sealed class SqliteReadOnlyTests : IDisposable
{
    private const string Refused = "SqliteException:SQLITE_AUTH";
    private const int EnableLoadExtension = 1005; // SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION

    private readonly SqliteTestDatabase _database = new();
    private readonly SqlRun _sql;

    public SqliteReadOnlyTests() => _sql = new SqlRun(("main", "sqlite", _database.ConnectionString));

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData("delete from crew")]
    [InlineData("update crew set name = 'x'")]
    [InlineData("insert into crew (id, name) values (9, 'Eve')")]
    [InlineData("drop table crew")]
    [InlineData("with gone as (select 1) delete from crew")]
    [InlineData("delete from crew; select 1")]
    [InlineData("create table extra (x)")]
    [InlineData("create temp table extra (x)")]
    [InlineData("create index crew_name on crew (name)")]
    [InlineData("alter table crew add column extra text")]
    [InlineData("begin")]
    [InlineData("begin immediate")]
    [InlineData("savepoint s")]
    [InlineData("analyze")]
    [InlineData("vacuum")]
    [InlineData("detach database main")]
    [InlineData("pragma journal_mode = wal")]
    [InlineData("pragma foreign_keys = on")]
    [InlineData("pragma writable_schema = on")]
    [InlineData("pragma wal_checkpoint")]
    [InlineData("pragma optimize")]
    public async Task A_statement_that_is_not_a_read_is_refused_before_it_runs_and_the_table_is_unchanged(string query)
    {
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", query)));

        Assert.Equal(Refused, kind);
        Assert.Contains("authoriz", message, StringComparison.Ordinal);
        Assert.Equal(3, _database.Count("crew"));
    }

    [Theory]
    [InlineData("select load_extension('x')", "load_extension")]
    [InlineData("select load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6', 'puts')", "load_extension")]
    [InlineData("select fts3_tokenizer('simple')", "fts3_tokenizer")]
    public async Task A_function_that_reaches_outside_the_database_is_refused_by_name(string query, string function)
    {
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", query)));

        // SQLite reports a refused function as SQLITE_ERROR; the message names the authorizer's
        // refusal (with extensions merely disabled it would say only "not authorized").
        Assert.Equal("SqliteException:SQLITE_ERROR", kind);
        Assert.Contains($"not authorized to use function: {function}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_statement_after_a_select_is_never_run()
    {
        var result = await _sql.RunAsync(SqlRun.Query("main", "select 1; delete from crew"));

        // Only the first statement's rows are read; the reader never moves on to the delete.
        Assert.Equal("[[1]]", SqlRun.Payload(result)["rows"]!.ToJsonString());
        Assert.Equal(3, _database.Count("crew"));
    }

    [Fact]
    public async Task Vacuum_into_is_refused_and_writes_no_file()
    {
        var target = Path.Combine(Path.GetDirectoryName(_database.Path)!, "copy.db");

        var (kind, _) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", $"vacuum into '{target}'")));

        Assert.Equal(Refused, kind);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Attach_is_refused_and_creates_no_file()
    {
        var target = Path.Combine(Path.GetDirectoryName(_database.Path)!, "other.db");

        var (kind, _) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", $"attach database '{target}' as other")));

        Assert.Equal(Refused, kind);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Attaching_the_database_itself_under_another_name_is_refused_too()
    {
        var (kind, _) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", $"attach database '{_database.Path}' as again")));

        Assert.Equal(Refused, kind);
    }

    [Theory]
    [InlineData("pragma user_version = 5")]
    [InlineData("pragma main.user_version = 5")]
    [InlineData("pragma user_version(5)")]
    [InlineData("pragma application_id = 5")]
    public async Task A_pragma_that_sets_a_value_is_refused_and_the_value_is_unchanged(string query)
    {
        var (kind, _) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", query)));

        Assert.Equal(Refused, kind);
        Assert.Equal(0L, _database.Scalar("pragma user_version"));
        Assert.Equal(0L, _database.Scalar("pragma application_id"));
    }

    [Theory]
    [InlineData("pragma user_version", "[[0]]")]
    [InlineData("pragma table_info(crew)", null)]
    [InlineData("select name from pragma_table_info('crew') where pk = 1", """[["id"]]""")]
    [InlineData("select name from sqlite_schema where type = 'table' order by name", """[["crew"],["numbers"]]""")]
    [InlineData("with recursive c(x) as (select 1 union all select x + 1 from c where x < 5) select sum(x), upper('a') from c", """[[15,"A"]]""")]
    public async Task Reads_schema_descriptions_and_settings_without_an_argument_are_allowed(string query, string? rows)
    {
        var payload = SqlRun.Payload(await _sql.RunAsync(SqlRun.Query("main", query)));

        if (rows is not null)
        {
            Assert.Equal(rows, payload["rows"]!.ToJsonString());
        }

        Assert.True(payload["row_count"]!.GetValue<int>() > 0);
    }

    [Theory]
    [InlineData(";Mode=ReadWrite")]
    [InlineData(";Mode=ReadWriteCreate")]
    public async Task A_connection_string_asking_for_write_access_is_still_opened_read_only(string mode)
    {
        var sql = new SqlRun(("main", "sqlite", _database.ConnectionString + mode));

        var (kind, _) = SqlRun.Error(await sql.RunAsync(SqlRun.Query("main", "delete from crew")));

        Assert.Equal(Refused, kind);
        Assert.Equal(3, _database.Count("crew"));
    }

    [Fact]
    public async Task The_file_is_opened_read_only_beneath_the_authorizer()
    {
        await using var connection = await SqliteProvider.OpenConnectionAsync(_database.ConnectionString + ";Mode=ReadWriteCreate", TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(1, raw.sqlite3_db_readonly(connection.Handle, "main"));
    }

    [Fact]
    public async Task Loading_extensions_is_off_on_the_agents_connections()
    {
        await using var connection = await SqliteProvider.OpenConnectionAsync(_database.ConnectionString, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_db_config(connection.Handle, EnableLoadExtension, -1, out var enabled));
        Assert.Equal(0, enabled);
    }

    [Fact]
    public async Task Pragmas_the_connection_string_asks_for_still_run_when_the_connection_opens()
    {
        // Microsoft.Data.Sqlite runs "PRAGMA foreign_keys = 1" while opening: before the authorizer.
        var sql = new SqlRun(("main", "sqlite", _database.ConnectionString + ";Foreign Keys=True"));

        var first = SqlRun.Payload(await sql.RunAsync(SqlRun.Query("main", "select count(*) from crew")));
        var again = SqlRun.Payload(await sql.RunAsync(SqlRun.Query("main", "select count(*) from crew")));

        Assert.Equal("[[3]]", first["rows"]!.ToJsonString());
        Assert.Equal("[[3]]", again["rows"]!.ToJsonString());
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
