namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// Where a driver call runs. A blocking driver (SQLite, DuckDB: statements run synchronously on
/// the calling thread whatever its async methods say) gets a thread of its own for each call
/// (a long-running task), never a thread-pool thread: with every worker in a long query the pool
/// would otherwise have no thread for heartbeat timers, E1 answers or the cancellation that
/// interrupts the query, and adds threads only every half second (docs/protocol.md §10,
/// docs/adr/0018). At most one such thread per worker exists at a time; starting one costs far
/// less than a query.
/// </summary>
internal static class SqlThreads
{
    public static Task<T> RunAsync<T>(bool blocking, Func<Task<T>> call) =>
        blocking
            ? Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap()
            : call();

    public static Task RunAsync(bool blocking, Func<Task> call) =>
        blocking
            ? Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap()
            : call();
}
