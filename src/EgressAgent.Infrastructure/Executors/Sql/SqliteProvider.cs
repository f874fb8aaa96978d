using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// SQLite through Microsoft.Data.Sqlite. Read-only twice over: the file is opened read-only (the
/// connection string is rebuilt with <c>Mode=ReadOnly</c> whatever it said, and a URI cannot ask
/// for more than the open flags allow), and an authorizer allows reads only, which also stops
/// what read-only flags let through (<c>VACUUM INTO</c>, <c>ATTACH</c>, pragmas, transactions).
/// Microsoft.Data.Sqlite runs every statement synchronously on the calling thread, so the
/// executor gives each query a thread of its own (<see cref="Blocking"/>).
/// </summary>
internal sealed class SqliteProvider : ISqlProvider
{
    private const int Interrupted = 9; // SQLITE_INTERRUPT

    public string Name => "sqlite";

    public bool Blocking => true;

    public async Task<ISqlSession> OpenAsync(string connectionString, TimeSpan timeout, CancellationToken cancellationToken) =>
        new SqliteSession(await OpenConnectionAsync(connectionString, timeout, cancellationToken));

    /// <summary>Opens the file read-only with the read-only authorizer in place.</summary>
    internal static async Task<SqliteConnection> OpenConnectionAsync(string connectionString, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            Mode = SqliteOpenMode.ReadOnly,
            DefaultTimeout = SqlTimeouts.WholeSeconds(timeout),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);

            // After opening: Microsoft.Data.Sqlite itself runs the connection string's pragmas
            // while it opens. Loading extensions is off by default; keep it off explicitly.
            connection.EnableExtensions(false);
            SqliteReadOnlyAuthorizer.Install(connection.Handle!);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public SqlError? Describe(Exception exception) => exception is SqliteException sqlite
        ? new SqlError($"SqliteException:{SqliteErrorNames.Of(sqlite.SqliteErrorCode)}", sqlite.Message)
        : null;

    // Only the agent interrupts a query (timeout or shutdown), so an interrupt is a timeout
    // unless the shutdown token explains it, which the executor checks first.
    public bool IsTimeout(Exception exception) => exception is SqliteException { SqliteErrorCode: Interrupted };

    private sealed class SqliteSession(SqliteConnection connection) : ISqlSession
    {
        private SqliteCommand? _command;
        private SqliteDataReader? _reader;
        private CancellationTokenRegistration _interrupt;

        public async Task<DbDataReader> ExecuteAsync(SqlQueryRequest request, CancellationToken cancellationToken)
        {
            _command = connection.CreateCommand();
            _command.CommandText = request.Query;
            _command.CommandTimeout = SqlTimeouts.WholeSeconds(request.Timeout);
            foreach (var parameter in request.Parameters)
            {
                // A name without prefix binds @name, :name and $name alike.
                _command.Parameters.AddWithValue(parameter.Name, parameter.Value);
            }

            // Microsoft.Data.Sqlite runs statements synchronously and ignores the token once a
            // statement runs; sqlite3_interrupt stops it at the next opcode.
            var handle = connection.Handle;
            _interrupt = cancellationToken.Register(() => SQLitePCL.raw.sqlite3_interrupt(handle));
            _reader = await _command.ExecuteReaderAsync(cancellationToken);
            return _reader;
        }

        public IReadOnlyList<Func<DbDataReader, int, object?>> ValueReadersFor(DbDataReader reader) =>
            [.. Enumerable.Range(0, reader.FieldCount).Select(i => SqliteValues.ReaderFor(reader.GetDataTypeName(i)))];

        public void Abandon()
        {
            // Nothing runs ahead of the reader in SQLite: disposing it stops the statement.
        }

        public async ValueTask DisposeAsync()
        {
            // First the interrupt (it waits for a running callback), so it can never hit the
            // connection once the pool has handed it to someone else.
            await _interrupt.DisposeAsync();
            if (_reader is not null)
            {
                await _reader.DisposeAsync();
            }

            if (_command is not null)
            {
                await _command.DisposeAsync();
            }

            // The pool keeps the native connection, and Microsoft.Data.Sqlite runs the connection
            // string's pragmas (Foreign Keys=…) on every open, pooled or not: the authorizer leaves
            // with the session and the next one installs it again after opening.
            if (connection.Handle is { } handle)
            {
                SqliteReadOnlyAuthorizer.Remove(handle);
            }

            await connection.DisposeAsync();
        }
    }
}
