using System.Collections.Frozen;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Faults;
using EgressAgent.Domain.Operations;
using EgressAgent.Domain.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// <c>sql/query</c> (docs/protocol.md §5.2): a read-only query on a connection named in configuration
/// (<c>Connections:&lt;name&gt;</c>), parameters bound, within <c>timeout</c> seconds, at most
/// <c>limit</c> rows. Errors carry the database's error class and never the connection string
/// (docs/adr/0009-sql-executor.md).
/// </summary>
internal sealed partial class SqlQueryExecutor(
    IOptions<ConnectionsOptions> connections,
    TimeProvider timeProvider,
    ILogger<SqlQueryExecutor> logger) : IOperationExecutor
{
    public const string UnknownConnection = "UnknownConnection";
    public const string UnsupportedProvider = "UnsupportedProvider";

    private static readonly FrozenDictionary<string, ISqlProvider> Providers =
        new ISqlProvider[] { new SqliteProvider(), new PostgresProvider() }.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public OperationRoute Route { get; } = OperationRoute.Execute("sql", "query");

    public async Task<JsonNode?> ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var request = SqlQueryRequest.Parse(context.Operation);
        if (!connections.Value.TryGetValue(request.Connection, out var connection) || string.IsNullOrEmpty(connection.ConnectionString))
        {
            throw new OperationFailedException($"Unknown connection '{request.Connection}'", UnknownConnection);
        }

        if (connection.Provider is null || !Providers.TryGetValue(connection.Provider, out var provider))
        {
            throw new OperationFailedException($"Connection '{request.Connection}' has no supported provider (sqlite or postgres)", UnsupportedProvider);
        }

        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(request.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var payload = await ReadAsync(provider, connection.ConnectionString, request, linked.Token);
            LogFinished(logger, context.OperationId, request.Connection, (int)payload["row_count"]!, (bool)payload["truncated"]!, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return payload;
        }
        catch (Exception ex) when (ex is not OperationFailedException && ex.IsTranslatable())
        {
            var failure = Translate(ex, provider, request, connection.ConnectionString, cancellationToken, timeout.IsCancellationRequested);
            if (failure is OperationFailedException failed)
            {
                LogFailed(logger, context.OperationId, request.Connection, failed.Kind);
            }

            throw failure;
        }
    }

    /// <summary>
    /// A blocking driver's query runs on a thread of its own (a long-running task), never on a
    /// thread-pool thread: with every worker in a long query, the pool would otherwise have no
    /// thread for heartbeat timers, E1 responses or the timeout that interrupts the query, and
    /// would add threads only every half second (docs/protocol.md §10). At most <c>Workers</c> such threads
    /// exist; starting one costs far less than opening a database.
    /// </summary>
    private static Task<JsonObject> ReadAsync(ISqlProvider provider, string connectionString, SqlQueryRequest request, CancellationToken cancellationToken) =>
        provider.Blocking
            ? Task.Factory.StartNew(
                () => SqlResultReader.ReadAsync(provider, connectionString, request, cancellationToken),
                CancellationToken.None,
                TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
                TaskScheduler.Default).Unwrap()
            : SqlResultReader.ReadAsync(provider, connectionString, request, cancellationToken);

    /// <summary>The caller's cancellation (shutdown, operation timeout) wins; then our timeout; then the database's error.</summary>
    private static Exception Translate(Exception ex, ISqlProvider provider, SqlQueryRequest request, string connectionString, CancellationToken callerToken, bool timedOut)
    {
        if (callerToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The query was cancelled", callerToken);
        }

        if (timedOut || provider.IsTimeout(ex))
        {
            return new OperationFailedException($"Query did not finish within its timeout of {request.Timeout.TotalSeconds:0.###} s", ErrorKinds.Timeout);
        }

        var error = provider.Describe(ex) ?? new SqlError(ex.GetType().Name, ex.Message);
        return new OperationFailedException(SecretNames.RedactConnectionString(error.Message, connectionString), error.Kind);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Query of operation {OperationId} on connection {Connection} returned {RowCount} row(s), truncated {Truncated}, in {ElapsedMs:0.#} ms")]
    private static partial void LogFinished(ILogger logger, string operationId, string connection, int rowCount, bool truncated, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Query of operation {OperationId} on connection {Connection} failed ({ErrorType})")]
    private static partial void LogFailed(ILogger logger, string operationId, string connection, string errorType);
}
