using EgressAgent.Domain.Operations;
using EgressAgent.Tests.Shared;

namespace EgressAgent.Infrastructure.Tests.Executors.Sql;

/// <summary>The server refuses writes (read-only transaction) and bounds time (statement_timeout); skipped without a server.</summary>
public sealed class PostgresReadOnlyTests : PostgresSchemaTests
{
    [PostgresFact]
    public async Task A_delete_is_rejected_by_the_read_only_transaction_and_the_table_is_unchanged()
    {
        var (kind, message) = SqlRun.Error(await Sql.RunAsync(SqlRun.Query("pg", "delete from crew")));

        Assert.Equal("PostgresException:25006", kind);
        Assert.Contains("read-only transaction", message, StringComparison.Ordinal);
        Assert.Equal(2, await Schema.CountAsync("crew"));
    }

    [PostgresFact]
    public async Task Ending_the_transaction_inside_the_query_cannot_smuggle_a_write_out()
    {
        var commit = await Sql.RunAsync(SqlRun.Query("pg", "commit; delete from crew"));
        var writable = await Sql.RunAsync(SqlRun.Query("pg", "set transaction read write; delete from crew"));

        Assert.Equal("PostgresException:42601", SqlRun.Error(commit).Kind);
        Assert.Equal("PostgresException:42601", SqlRun.Error(writable).Kind);
        Assert.Equal(2, await Schema.CountAsync("crew"));
    }

    [PostgresFact]
    public async Task A_data_modifying_cte_is_rejected_too()
    {
        var (kind, _) = SqlRun.Error(await Sql.RunAsync(SqlRun.Query("pg", "with gone as (delete from crew returning *) select count(*) from gone")));

        Assert.Equal("PostgresException:25006", kind);
        Assert.Equal(2, await Schema.CountAsync("crew"));
    }

    [PostgresFact]
    public async Task A_query_running_past_its_timeout_is_cancelled_and_reported_as_a_timeout()
    {
        // pg_sleep(30) outlives SqlRun's bound: only a cancelled query returns in time.
        var (kind, message) = SqlRun.Error(await Sql.RunAsync(SqlRun.Query("pg", "select pg_sleep(30)", timeout: 1)));

        Assert.Equal(ErrorKinds.Timeout, kind);
        Assert.Contains("timeout of 1 s", message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Cancellation_by_the_caller_cancels_the_query_and_surfaces_as_cancellation()
    {
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sql.RunAsync(SqlRun.Query("pg", "select pg_sleep(30)", timeout: 60), shutdown.Token));
    }
}
