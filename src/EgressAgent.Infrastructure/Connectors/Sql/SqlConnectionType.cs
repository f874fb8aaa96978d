using System.Data.Common;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// What every SQL connection type of docs/protocol.md §12.4 shares: the DB-API cursor (execute,
/// fetchall/fetchmany/fetchone streamed through a spill buffer, description, rowcount), parameter
/// binding in the DB-API styles, the <c>__type__</c> encoding of values and error results. A type
/// is one file that derives from this and says only what differs: how credentials become a
/// pooled data source, how a session is made read-only, its type codes, values and errors.
/// </summary>
internal abstract class SqlConnectionType : IConnectionType
{
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>How the SQL the orchestrator sends names its parameters (docs/protocol.md §12.2).</summary>
    public abstract SqlParameterStyle ParameterStyle { get; }

    /// <summary>
    /// True when the driver runs statements synchronously on the calling thread whatever its async
    /// methods say (SQLite, DuckDB): commands then run on a thread of their own, so every worker in
    /// a long query never starves the timers heartbeats run on (docs/protocol.md §10).
    /// </summary>
    public virtual bool Blocking => false;

    /// <summary>
    /// Why this type cannot work in this build (a driver that needs what the build leaves out), or
    /// null. When set, every client request is the error result
    /// <c>&lt;type&gt; is not available in this build: &lt;reason&gt;</c> (<c>ConnectionError</c>), never a crash.
    /// </summary>
    public virtual string? UnavailableReason => null;

    public IDataSourceClient CreateClient(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return UnavailableReason is { } reason
            ? throw new Application.Execution.OperationFailedException($"{request.TypeName} is not available in this build: {reason}", ConnectorErrorKinds.ConnectionError)
            : new SqlDataSourceClient(this, request, CreateDataSource(request));
    }

    /// <summary>
    /// The driver's data source for these credentials (connection string from <c>connect_args</c>,
    /// TLS from <c>ssl_options</c>, connect timeout, TCP keepalive, a bounded pool). Throw
    /// <see cref="Application.Execution.OperationFailedException"/> (<see cref="ConnectorErrorKinds.CredentialsError"/>)
    /// for credentials that cannot make one; never put a secret into the message.
    /// </summary>
    public abstract DbDataSource CreateDataSource(ConnectionRequest request);

    /// <summary>
    /// Prepares a freshly opened connection for one operation — read-only when
    /// <see cref="ConnectionRequest.ReadOnly"/> — and returns the transaction its commands run in
    /// (rolled back when the session ends), or null for none.
    /// </summary>
    public virtual Task<DbTransaction?> BeginSessionAsync(DbConnection connection, ConnectionRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction?>(null);

    /// <summary>
    /// <see cref="BeginSessionAsync(DbConnection, ConnectionRequest, CancellationToken)"/> told the
    /// bound on each command of the session (the smaller of <see cref="QueryTimeout"/> and
    /// <c>operation.timeout</c>; null for none), for types that set it on the server too
    /// (postgres: <c>statement_timeout</c>). The runtime calls this one; by default it calls the other.
    /// </summary>
    public virtual Task<DbTransaction?> BeginSessionAsync(DbConnection connection, ConnectionRequest request, TimeSpan? commandTimeout, CancellationToken cancellationToken) =>
        BeginSessionAsync(connection, request, cancellationToken);

    /// <summary>
    /// Undoes what <see cref="BeginSessionAsync(DbConnection, ConnectionRequest, TimeSpan?, CancellationToken)"/>
    /// did to the connection itself before it goes back to the pool (after the transaction is rolled
    /// back), e.g. SQLite's authorizer.
    /// </summary>
    public virtual void EndSession(DbConnection connection)
    {
    }

    /// <summary>
    /// True to send each statement as the single command of a <see cref="DbBatch"/>: a driver that
    /// splits a command's text at semicolons (Npgsql) would otherwise run <c>commit; delete …</c>
    /// as two statements, the second outside the read-only transaction; the server refuses a batch
    /// command of two statements.
    /// </summary>
    public virtual bool ExecutesAsBatch => false;

    /// <summary>The name the <paramref name="index"/>-th positional parameter is bound under; empty binds it by position.</summary>
    public virtual string PositionalParameterName(int index) => string.Empty;

    /// <summary>Gives a parameter its value (a CLR value from <c>params</c>, <see cref="DBNull"/> for null); a type may set its database type too.</summary>
    public virtual void SetParameterValue(DbParameter parameter, object value) => parameter.Value = value;

    /// <summary>
    /// Makes <paramref name="cancellationToken"/> stop a running statement on the server:
    /// by default it calls <paramref name="cancelStatement"/> (the command's or batch's <c>Cancel</c>).
    /// A driver that honours the token itself (Npgsql sends a cancel request) returns default; one
    /// that ignores it once a statement runs (SQLite) interrupts the connection.
    /// </summary>
    public virtual CancellationTokenRegistration RegisterCancellation(DbConnection connection, Action cancelStatement, CancellationToken cancellationToken) =>
        cancellationToken.Register(cancelStatement);

    /// <summary>
    /// How to read the values of one column, chosen once per statement (the default reads through
    /// <see cref="ReadValue"/>); a type picks by the column's type here rather than on every value.
    /// </summary>
    public virtual Func<DbDataReader, int, object?> ValueReaderFor(DbDataReader reader, int ordinal) => ReadValue;

    /// <summary>The type's own bound on one command (e.g. <c>query_timeout_in_seconds</c>), or null for none.</summary>
    public virtual TimeSpan? QueryTimeout(ConnectionRequest request) => null;

    /// <summary>The placeholder the driver understands for the <paramref name="index"/>-th (0-based) positional parameter.</summary>
    public virtual string PositionalPlaceholder(int index) => "?";

    /// <summary>The placeholder the driver understands for a named parameter, and the name the parameter is bound under.</summary>
    public virtual string NamedPlaceholder(string name) => "@" + name;

    /// <summary><c>type_code</c> of a column in <c>description</c>: the driver's type name unless the type says otherwise (postgres: the OID).</summary>
    public virtual JsonNode? TypeCodeOf(DbDataReader reader, int ordinal) => reader.GetDataTypeName(ordinal);

    /// <summary>The <c>internal_size</c>, <c>precision</c>, <c>scale</c> and <c>null_ok</c> of a column, where the driver knows them.</summary>
    public virtual SqlColumnFacts ColumnFactsOf(DbDataReader reader, int ordinal) => SqlColumnFacts.Unknown;

    /// <summary>One value of the current row as a CLR value <c>WireValues</c> can write (null for SQL NULL).</summary>
    public virtual object? ReadValue(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal);

    /// <summary>The error result for the driver's own errors (kind, exception text, attributes); null for anything else.</summary>
    public virtual SqlConnectorError? DescribeError(Exception exception) => null;
}
