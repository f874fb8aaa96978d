using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Domain.Faults;
using EgressAgent.Infrastructure.Executors.Sql;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// A DB-API cursor (docs/protocol.md §12.2): <c>execute(sql, params)</c>, <c>fetchall</c>,
/// <c>fetchmany(n)</c>, <c>fetchone</c>, <c>description</c>, <c>rowcount</c>, <c>close</c>; any
/// other name is <see cref="ProgramMethodNotFoundException"/>. <c>execute</c> runs the statement
/// and reads its whole result into a <see cref="JsonRowBuffer"/> (compact JSON, spilled to an
/// unlinked private file past a few MiB) and closes the reader at once, so the connection is free,
/// <c>rowcount</c> is the number of rows a SELECT returned, and memory stays bounded whatever the
/// result's size. <c>fetchall</c> returns a node that writes the remaining rows from the buffer
/// when the result is written (no node per value); <c>fetchone</c>/<c>fetchmany</c> parse the
/// rows they return.
/// </summary>
internal sealed class SqlCursor(SqlSession session) : IProgramObject
{
    /// <summary>DB-API's default <c>arraysize</c>: what <c>fetchmany()</c> without a size returns.</summary>
    private const int ArraySize = 1;

    /// <summary>How long after the command timeout the runtime cancels a statement itself, when the driver or server has not.</summary>
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(1);

    private JsonRowBuffer? _rows;
    private long _position;
    private JsonArray? _description;
    private long _rowCount = -1;
    private bool _closed;

    public async ValueTask<object?> InvokeAsync(string method, ProgramArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        switch (method)
        {
            case "execute":
                await ExecuteAsync(arguments, cancellationToken);
                return null;
            case "fetchall":
                return FetchAll();
            case "fetchmany":
                return FetchMany(arguments);
            case "fetchone":
                return FetchOne();
            case "description":
                ThrowIfClosed();
                return _description?.DeepClone();
            case "rowcount":
                ThrowIfClosed();
                return JsonValue.Create(_rowCount);
            case "close":
                _closed = true;
                _rows = null;
                _description = null;
                return null;
            default:
                throw new ProgramMethodNotFoundException(method);
        }
    }

    private async Task ExecuteAsync(ProgramArguments arguments, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        session.ThrowIfEnded();
        var sql = arguments.Get(0, "query") ?? arguments.Named.GetValueOrDefault("operation") ?? arguments.Named.GetValueOrDefault("sql");
        if (sql is not JsonValue text || !text.TryGetValue<string>(out var query))
        {
            throw Error(ConnectorErrorKinds.ProgramError, "TypeError", "execute() needs the SQL as a string");
        }

        var parameters = arguments.Get(1, "vars") ?? arguments.Named.GetValueOrDefault("params") ?? arguments.Named.GetValueOrDefault("parameters");
        if (parameters is not (null or JsonNode))
        {
            throw Error(ConnectorErrorKinds.ProgramError, "TypeError", "execute() parameters must be a list, an object or null");
        }

        var statement = SqlStatement.Bind(session.Type, query, (JsonNode?)parameters);
        _rows = null;
        _position = 0;
        _description = null;
        _rowCount = -1;
        await SqlThreads.RunAsync(session.Type.Blocking, () => RunAsync(statement, cancellationToken));
    }

    private async Task RunAsync(SqlStatement statement, CancellationToken cancellationToken)
    {
        var type = session.Type;
        var timeout = session.CommandTimeout;
        using var timer = timeout is { } t ? new CancellationTokenSource(t + Backstop) : null;
        using var linked = timer is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var token = linked?.Token ?? cancellationToken;
        var seconds = timeout is { } bound ? SqlTimeouts.WholeSeconds(bound) + (int)Backstop.TotalSeconds : 0; // 0: the driver waits as long as it takes
        DbBatch? batch = null;
        DbCommand? command = null;
        try
        {
            DbDataReader reader;
            if (type.ExecutesAsBatch)
            {
                batch = session.Connection.CreateBatch();
                batch.Transaction = session.Transaction;
                batch.Timeout = seconds;
                var batchCommand = batch.CreateBatchCommand();
                batchCommand.CommandText = statement.Sql;
                foreach (var (name, value) in statement.Parameters)
                {
                    batchCommand.Parameters.Add(Parameter(batchCommand.CreateParameter(), name, value));
                }

                batch.BatchCommands.Add(batchCommand);
            }
            else
            {
                command = session.Connection.CreateCommand();
                command.Transaction = session.Transaction;
                command.CommandTimeout = seconds;
                command.CommandText = statement.Sql;
                foreach (var (name, value) in statement.Parameters)
                {
                    command.Parameters.Add(Parameter(command.CreateParameter(), name, value));
                }
            }

            using (type.RegisterCancellation(session.Connection, batch is not null ? batch.Cancel : command!.Cancel, token))
            {
                reader = batch is not null ? await batch.ExecuteReaderAsync(token) : await command!.ExecuteReaderAsync(token);
                await using (reader)
                {
                    var columns = reader.FieldCount;
                    var rows = columns > 0 ? await ReadRowsAsync(type, reader, token) : null;
                    await reader.CloseAsync();
                    _rows = rows;
                    _rowCount = rows?.Count ?? reader.RecordsAffected;
                }
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex.IsTranslatable())
        {
            // Shutdown or operation.timeout: the runner reports it; the statement was cancelled on the server.
            throw ex as OperationCanceledException ?? new OperationCanceledException("The statement was cancelled", ex, cancellationToken);
        }
        catch (Exception ex) when (timer is { IsCancellationRequested: true } && SqlFailures.IsDriverError(ex, cancellationToken))
        {
            throw SqlFailures.TimedOut(timeout!.Value);
        }
        catch (Exception ex) when (SqlFailures.IsDriverError(ex, cancellationToken))
        {
            throw SqlFailures.From(type, session.Request, ex);
        }
        finally
        {
            if (batch is not null)
            {
                await batch.DisposeAsync();
            }

            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }
    }

    private DbParameter Parameter(DbParameter parameter, string name, object value)
    {
        parameter.ParameterName = name;
        session.Type.SetParameterValue(parameter, value);
        return parameter;
    }

    private async Task<JsonRowBuffer> ReadRowsAsync(SqlConnectionType type, DbDataReader reader, CancellationToken cancellationToken)
    {
        var columns = reader.FieldCount;
        var description = new JsonArray();
        var values = new Func<DbDataReader, int, object?>[columns];
        for (var i = 0; i < columns; i++)
        {
            var facts = type.ColumnFactsOf(reader, i);
            description.Add((JsonNode)new JsonArray(
                JsonValue.Create(reader.GetName(i)),
                type.TypeCodeOf(reader, i),
                JsonValue.Create(facts.DisplaySize),
                JsonValue.Create(facts.InternalSize),
                JsonValue.Create(facts.Precision),
                JsonValue.Create(facts.Scale),
                JsonValue.Create(facts.NullOk)));
            values[i] = type.ValueReaderFor(reader, i);
        }

        _description = description;
        var rows = new JsonRowBuffer();
        try
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var writer = rows.BeginRow();
                for (var i = 0; i < columns; i++)
                {
                    WireValues.Write(writer, values[i](reader, i));
                }

                rows.EndRow();
            }

            return rows;
        }
        finally
        {
            rows.Dispose(); // ends the adding; the rows stay readable
        }
    }

    private JsonNode FetchAll()
    {
        var rows = Results();
        var position = _position;
        _position = rows.EndPosition;
        return position >= rows.EndPosition ? new JsonArray() : rows.ToJsonValue(position);
    }

    private JsonArray FetchMany(ProgramArguments arguments)
    {
        var size = arguments.Get(0, "size") switch
        {
            null => ArraySize,
            JsonValue value when value.GetValueKind() == JsonValueKind.Number && JsonNumbers.TryGetInt64(value, out var n) => (int)Math.Clamp(n, 0, int.MaxValue),
            _ => throw Error(ConnectorErrorKinds.ProgramError, "TypeError", "fetchmany() size must be an integer"),
        };
        var rows = Results();
        var result = new JsonArray();
        var from = _position;
        while (result.Count < size && rows.ReadRow(ref _position) is { } row)
        {
            result.Add((JsonNode)row);

            // Rows become nodes here, at 12 bytes of memory per byte of JSON: capped (docs/adr/0043).
            if (_position - from > ResourceLimits.MaxRowBytesAsNodes)
            {
                throw ResourceLimits.RowsTooLarge("fetchmany");
            }
        }

        return result;
    }

    private JsonArray? FetchOne() => Results().ReadRow(ref _position);

    private JsonRowBuffer Results()
    {
        ThrowIfClosed();
        return _rows ?? throw Error(ConnectorErrorKinds.DatabaseError, "ProgrammingError", "no results to fetch");
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw Error(ConnectorErrorKinds.DatabaseError, "InterfaceError", "cursor already closed");
        }
    }

    private static OperationFailedException Error(string kind, string type, string message) => new(message, kind) { ExceptionText = $"{type}: {message}" };
}
