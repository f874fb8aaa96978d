using System.Diagnostics;
using EgressAgent.Domain.Operations;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>
/// A running SQLite statement is interrupted, not abandoned: by its timeout (an error result) or
/// by shutdown (no result). The query reads <c>crew</c>, so while it runs it holds a read lock on
/// the file; a writer getting the file at once afterwards shows the statement really stopped.
/// </summary>
public sealed class SqliteTimeoutTests : IDisposable
{
    // Counts to three trillion: hours of work, so only an interrupt ends it within the bounds below.
    private const string EndlessQuery = "with recursive c(x) as (select 1 union all select x + 1 from c where x < (select count(*) from crew) * 1000000000000) select count(*) from c";

    /// <summary>How long an interrupt may take to land and the error to come back, on a busy machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    private readonly SqliteTestDatabase _database = new();
    private readonly SqlRun _sql;

    public SqliteTimeoutTests() => _sql = new SqlRun(("main", "sqlite", _database.ConnectionString));

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task A_query_running_past_its_timeout_is_interrupted_and_reported_as_a_timeout()
    {
        var started = Stopwatch.StartNew();
        var (kind, message) = SqlRun.Error(await _sql.RunAsync(SqlRun.Query("main", EndlessQuery, timeout: 1)));
        var elapsed = started.Elapsed;

        Assert.Equal(ErrorKinds.Timeout, kind);
        Assert.Contains("timeout of 1 s", message, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1) + Slack);
    }

    [Fact]
    public async Task The_interrupted_query_lets_go_of_the_database_file_at_once()
    {
        var run = _sql.RunAsync(SqlRun.Query("main", EndlessQuery, timeout: 2));

        // While it runs, the query holds its read lock: a writer cannot take the file.
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.False(run.IsCompleted, "The query ended before its timeout");
        Assert.False(_database.CanLockExclusively(), "The running query held no lock: this test could not see it stop");

        var (kind, _) = SqlRun.Error(await run);

        Assert.Equal(ErrorKinds.Timeout, kind);
        Assert.True(_database.CanLockExclusively(), "The database is still locked after the timeout: the statement still runs");
    }

    [Fact]
    public async Task Cancellation_by_the_caller_interrupts_the_query_and_surfaces_as_cancellation_not_as_a_result()
    {
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _sql.RunAsync(SqlRun.Query("main", EndlessQuery, timeout: 60), shutdown.Token));

        Assert.True(started.Elapsed < TimeSpan.FromMilliseconds(300) + Slack, $"Cancelled after {started.Elapsed}");
        Assert.True(_database.CanLockExclusively(), "The database is still locked after the cancellation: the statement still runs");
    }

    [Fact]
    public async Task The_connection_is_usable_again_after_an_interrupted_query()
    {
        await _sql.RunAsync(SqlRun.Query("main", EndlessQuery, timeout: 0.2));

        var payload = SqlRun.Payload(await _sql.RunAsync(SqlRun.Query("main", "select count(*) from crew")));

        Assert.Equal("[[3]]", payload["rows"]!.ToJsonString());
    }
}
