using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>A running SQLite statement is interrupted: by its timeout (an error result) or by shutdown (no result).</summary>
public sealed class SqliteTimeoutTests : IDisposable
{
    // Counts to a trillion: hours of work, so only an interrupt ends it within the test's bound.
    private const string EndlessQuery = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000000) select count(*) from c";

    private readonly SqliteTestDatabase _database = new();
    private readonly SqlRun _sql;

    public SqliteTimeoutTests() => _sql = new SqlRun(("main", "sqlite", _database.ConnectionString));

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_query_running_past_its_timeout_is_interrupted_and_reported_as_a_timeout()
    {
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", EndlessQuery, timeout: 1)));

        Assert.Equal(ErrorKinds.Timeout, kind);
        Assert.Contains("timeout of 1 s", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_interrupts_the_query_and_surfaces_as_cancellation_not_as_a_result()
    {
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _sql.RunAsync(SqlRun.Query("main", EndlessQuery, timeout: 60), shutdown.Token));
    }

    [Fact]
    public async Task The_connection_is_usable_again_after_an_interrupted_query()
    {
        await _sql.RunAsync(SqlRun.Query("main", EndlessQuery, timeout: 0.2));

        var payload = SqlRun.Payload(await _sql.RunAsync(SqlRun.Query("main", "select count(*) from crew")));

        Assert.Equal("[[3]]", payload["rows"]!.ToJsonString());
    }
}
