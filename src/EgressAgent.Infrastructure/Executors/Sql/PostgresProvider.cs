using System.Data.Common;
using System.Globalization;
using EgressAgent.Application.Execution;
using Npgsql;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// PostgreSQL through Npgsql. Read-only because the server runs the query in a
/// <c>READ ONLY</c> transaction that is always rolled back, and the query is sent as one batch
/// command, which the server refuses to split: <c>commit; delete …</c> cannot leave the
/// transaction. A read-only transaction still lets a superuser run programs
/// (<c>COPY … TO PROGRAM</c>) and lets the <c>pg_*_server_*</c> roles read and write the server's
/// files, so such a role is refused before any query (<see cref="PostgresRoleCheck"/>).
/// <c>statement_timeout</c> bounds the query on the server too, so a query the agent gave up on
/// does not keep running there.
/// </summary>
internal sealed class PostgresProvider : ISqlProvider
{
    private const string QueryCanceled = "57014";

    public string Name => "postgres";

    public bool Blocking => false;

    public async Task<ISqlSession> OpenAsync(string connectionString, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var milliseconds = (long)Math.Ceiling(timeout.TotalMilliseconds);
            var setup = string.Create(CultureInfo.InvariantCulture, $"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {milliseconds}; {PostgresRoleCheck.Query}");
            await using (var command = new NpgsqlCommand(setup, connection, transaction))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                // One round trip: the two SETs return no rows, the reader stands on the role check's.
                await PostgresRoleCheck.ThrowIfPrivilegedAsync(reader, cancellationToken);
            }

            return new PostgresSession(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public SqlError? Describe(Exception exception) => exception switch
    {
        PostgresException postgres => new SqlError($"PostgresException:{postgres.SqlState}", postgres.MessageText),
        NpgsqlException npgsql => new SqlError(nameof(NpgsqlException), npgsql.Message),
        _ => null,
    };

    public bool IsTimeout(Exception exception) =>
        exception is PostgresException { SqlState: QueryCanceled } or NpgsqlException { InnerException: TimeoutException };

    private sealed class PostgresSession(NpgsqlConnection connection, NpgsqlTransaction transaction) : ISqlSession
    {
        private NpgsqlBatch? _batch;
        private NpgsqlDataReader? _reader;
        private bool _abandoned;

        public async Task<DbDataReader> ExecuteAsync(SqlQueryRequest request, CancellationToken cancellationToken)
        {
            var command = new NpgsqlBatchCommand(request.Query);
            foreach (var parameter in request.Parameters)
            {
                command.Parameters.AddWithValue(parameter.Name, parameter.Value);
            }

            _batch = new NpgsqlBatch(connection, transaction)
            {
                // The driver's own bound, a second after the agent's: a backstop if the server stops answering.
                Timeout = SqlTimeouts.WholeSeconds(request.Timeout) + 1,
                BatchCommands = { command },
            };
            _reader = await _batch.ExecuteReaderAsync(cancellationToken);
            return _reader;
        }

        public IReadOnlyList<Func<DbDataReader, int, object?>> ValueReadersFor(DbDataReader reader) =>
            [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetDataTypeName(i) == "numeric" ? Numeric : (Func<DbDataReader, int, object?>)Value)];

        // Without a cancel, disposing the reader would read (and drop) every remaining row.
        public void Abandon()
        {
            _abandoned = true;
            _batch?.Cancel();
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_reader is not null)
                {
                    await _reader.DisposeAsync();
                }

                await transaction.DisposeAsync(); // rolls back: nothing of the query's session state survives
            }
            catch (NpgsqlException) when (_abandoned)
            {
                // A cancel that arrives late can hit the reader's end or the rollback. The rows
                // read are complete; closing the connection below rolls back whatever is left.
            }
            finally
            {
                if (_batch is not null)
                {
                    await _batch.DisposeAsync();
                }

                await connection.DisposeAsync();
            }
        }

        private static object? Value(DbDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal))
            {
                return null;
            }

            try
            {
                return reader.GetValue(ordinal);
            }
            catch (InvalidCastException)
            {
                throw Unreadable(reader, ordinal, ".NET has no type for this value");
            }
        }

        private static object? Numeric(DbDataReader reader, int ordinal)
        {
            try
            {
                return reader.IsDBNull(ordinal) ? null : reader.GetDecimal(ordinal);
            }
            catch (OverflowException)
            {
                throw Unreadable(reader, ordinal, "the value is beyond the range of a decimal");
            }
        }

        private static OperationFailedException Unreadable(DbDataReader reader, int ordinal, string why) => new(
            $"Column '{reader.GetName(ordinal)}' ({reader.GetDataTypeName(ordinal)}) cannot be read: {why}; cast it to text in the query",
            "UnreadableValue");
    }
}
