using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;
using MySqlConnector;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>mysql</c> and its alias <c>mariadb</c> (docs/protocol.md §12.4) through MySqlConnector; the
/// DB-API <c>format</c> paramstyle of the reference's PyMySQL (<c>%s</c> → <c>?</c>,
/// <c>%(name)s</c> → <c>@name</c>). Read-only by default: each session first makes every later
/// transaction of the session read-only (<c>SET SESSION TRANSACTION READ ONLY</c>, so a
/// <c>COMMIT</c> or a statement that commits implicitly does not leave it) and then runs its
/// commands in a <c>READ ONLY</c> transaction, rolled back at the end; the server refuses writes
/// to tables and DDL there. The SQL text can still lift it (<c>SET SESSION TRANSACTION READ WRITE</c>),
/// so what really keeps a source unchanged is a user with SELECT-only grants (docs/connectors.md).
/// <c>query_timeout_in_seconds</c>, when given, bounds each statement on the server too
/// (<c>max_statement_time</c> on MariaDB, <c>max_execution_time</c> for MySQL's SELECTs).
/// </summary>
internal sealed class MySqlConnectionType : SqlConnectionType
{
    /// <summary>PyMySQL's default <c>connect_timeout</c>, in seconds.</summary>
    private const int DefaultConnectTimeoutSeconds = 10;

    private const int DefaultPort = 3306;

    /// <summary>TCP keepalive idle time, in seconds: a half-open connection is noticed within minutes, not hours.</summary>
    private const uint KeepaliveSeconds = 60;

    /// <summary>The pool of one cached client: enough for the agent's concurrent operations on one source.</summary>
    private const int MaximumPoolSize = 16;

    // Server error numbers (MySQL and MariaDB share them unless said).
    private const int QueryInterrupted = 1317;          // ER_QUERY_INTERRUPTED: KILL QUERY, the driver's cancel
    private const int MySqlExecutionTimeExceeded = 3024; // ER_QUERY_TIMEOUT (MySQL's max_execution_time)
    private const int MariaDbStatementTimeout = 1969;   // ER_STATEMENT_TIMEOUT (MariaDB's max_statement_time)
    private const int AccessDenied = 1045;              // ER_ACCESS_DENIED_ERROR (also FILE privilege, after connecting)
    private const int DatabaseAccessDenied = 1044;      // ER_DBACCESS_DENIED_ERROR
    private const int TableAccessDenied = 1142;         // ER_TABLEACCESS_DENIED_ERROR
    private const int ColumnAccessDenied = 1143;        // ER_COLUMNACCESS_DENIED_ERROR
    private const int SpecificAccessDenied = 1227;      // ER_SPECIFIC_ACCESS_DENIED_ERROR

    public override IReadOnlyList<string> Names { get; } = ["mysql", "mariadb"];

    public override SqlParameterStyle ParameterStyle => SqlParameterStyle.Format;

    public override DbDataSource CreateDataSource(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = new MySqlDataSourceBuilder(ConnectionStringOf(request).ConnectionString);
        var ssl = CredentialValues.SslOptions(request);
        if (TlsMaterial.ClientCertificate(ssl) is { } certificate)
        {
            builder.UseClientCertificatesCallback(certificates =>
            {
                certificates.Add(certificate);
                return ValueTask.CompletedTask;
            });
        }

        if (TlsMaterial.Authorities(ssl) is { } authorities)
        {
            builder.UseRemoteCertificateValidationCallback((_, presented, _, errors) => TlsMaterial.IssuedBy(authorities, presented, errors));
        }

        return builder.Build();
    }

    /// <summary>
    /// The driver's connection string for these credentials, with no TLS material (that stays in
    /// memory, in the callbacks of <see cref="CreateDataSource"/>). Keys follow PyMySQL's
    /// <c>connect()</c>: <c>host</c>, <c>port</c>, <c>user</c>, <c>password</c> (or <c>passwd</c>),
    /// <c>database</c> (or <c>db</c>), <c>connect_timeout</c>, plus <c>query_timeout_in_seconds</c>.
    /// </summary>
    internal static MySqlConnectionStringBuilder ConnectionStringOf(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = CredentialValues.ConnectArgs(request, "credentials.connect_args must be an object with host, port, user, password and database");
        var builder = new MySqlConnectionStringBuilder
        {
            Server = args.Text("host") ?? "localhost",
            Port = (uint)(args.Port() ?? DefaultPort),
            ConnectionTimeout = (uint)(ConnectTimeoutSeconds(args) ?? DefaultConnectTimeoutSeconds),
            Keepalive = KeepaliveSeconds,
            Pooling = true,
            MinimumPoolSize = 0,
            MaximumPoolSize = MaximumPoolSize,
            ConnectionIdleTimeout = 60,
            ConnectionReset = true, // a pooled connection comes back without the last session's settings
            // The runtime bounds each command; a query timeout also bounds it on the server
            // (max_statement_time), and the driver's own bound is a backstop a second later.
            DefaultCommandTimeout = QueryTimeoutSeconds(args) is > 0 and var timeout ? (uint)Math.Ceiling(timeout) + 1 : 0,
            AllowLoadLocalInfile = false, // the server may never read the agent's files
            AllowUserVariables = true, // `@v` in the SQL is MySQL's user variable, as under PyMySQL
            AllowZeroDateTime = true, // '0000-00-00' is read, not an exception
            TreatTinyAsBoolean = false, // TINYINT(1) is a number, as under PyMySQL
            GuidFormat = MySqlGuidFormat.None, // CHAR(36) stays the text it is
            DateTimeKind = MySqlDateTimeKind.Unspecified,
            ApplicationName = "egress-agent",
            SslMode = SslModeOf(CredentialValues.SslOptions(request)),
            UserID = args.Text("user", "username") ?? string.Empty,
            Password = args.Text("password", "passwd") ?? string.Empty,
            Database = args.Text("database", "db") ?? string.Empty,
        };
        return builder;
    }

    /// <summary>
    /// Read-only unless asked otherwise, and <paramref name="commandTimeout"/> (the smaller of
    /// <c>query_timeout_in_seconds</c> and <c>operation.timeout</c>) set on the server as well, so a
    /// statement the agent gave up on does not go on running there even if the agent's cancel is lost.
    /// </summary>
    public override async Task<DbTransaction?> BeginSessionAsync(DbConnection connection, ConnectionRequest request, TimeSpan? commandTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        var mySql = (MySqlConnection)connection;
        var setup = new List<string>(2);
        if (request.ReadOnly)
        {
            // Every later transaction of this session is read-only too: a COMMIT (or a statement that
            // commits implicitly, DDL) inside the program cannot leave the read-only transaction for
            // an autocommit one. ConnectionReset undoes it before the pool hands the connection on.
            setup.Add("SET SESSION TRANSACTION READ ONLY");
        }

        if (commandTimeout is { } timeout && timeout > TimeSpan.Zero)
        {
            var isMariaDb = mySql.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);
            setup.Add(isMariaDb
                ? string.Create(CultureInfo.InvariantCulture, $"SET SESSION max_statement_time = {Math.Max(timeout.TotalSeconds, 0.001):0.###}")
                : string.Create(CultureInfo.InvariantCulture, $"SET SESSION max_execution_time = {(long)Math.Ceiling(timeout.TotalMilliseconds)}"));
        }

        if (setup.Count > 0)
        {
            await using var command = new MySqlCommand(string.Join("; ", setup), mySql);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return request.ReadOnly
            ? await mySql.BeginTransactionAsync(IsolationLevel.Unspecified, isReadOnly: true, cancellationToken)
            : null;
    }

    public override Task<DbTransaction?> BeginSessionAsync(DbConnection connection, ConnectionRequest request, CancellationToken cancellationToken) =>
        BeginSessionAsync(connection, request, QueryTimeout(request), cancellationToken);

    /// <summary>MySqlConnector honours the token itself (it sends <c>KILL QUERY</c> on a second connection): nothing to add.</summary>
    public override CancellationTokenRegistration RegisterCancellation(DbConnection connection, Action cancelStatement, CancellationToken cancellationToken) => default;

    public override TimeSpan? QueryTimeout(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ConnectArgs is { } args && QueryTimeoutSeconds(CredentialValues.ConnectArgs(args)) is > 0 and var seconds
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    public override string PositionalPlaceholder(int index) => "?";

    public override string NamedPlaceholder(string name) => "@" + name;

    public override SqlColumnFacts ColumnFactsOf(DbDataReader reader, int ordinal) => MySqlValues.FactsOf(reader, ordinal);

    /// <summary>Chosen once per column (<see cref="MySqlValues"/>).</summary>
    public override Func<DbDataReader, int, object?> ValueReaderFor(DbDataReader reader, int ordinal) => MySqlValues.ReaderFor(reader, ordinal);

    public override object? ReadValue(DbDataReader reader, int ordinal) => ValueReaderFor(reader, ordinal)(reader, ordinal);

    /// <summary>
    /// The server's errors (and the driver's command timeout) with <c>errno</c> and <c>sqlstate</c>;
    /// <c>__mcd_exception__</c> names the kind, as postgres's does (psycopg2's class names).
    /// </summary>
    public override SqlConnectorError? DescribeError(Exception exception) => exception switch
    {
        MySqlException mySql when KindOf(mySql) is var kind => new SqlConnectorError(
            mySql.Message,
            kind,
            kind,
            new JsonObject
            {
                ["errno"] = mySql.Number,
                ["sqlstate"] = mySql.SqlState,
            }),
        _ => null,
    };

    private static string KindOf(MySqlException exception) => exception.Number switch
    {
        QueryInterrupted or MySqlExecutionTimeExceeded or MariaDbStatementTimeout => ConnectorErrorKinds.QueryCanceled,
        _ when exception.ErrorCode is MySqlErrorCode.CommandTimeoutExpired => ConnectorErrorKinds.QueryCanceled,
        TableAccessDenied or ColumnAccessDenied or DatabaseAccessDenied or SpecificAccessDenied => ConnectorErrorKinds.InsufficientPrivilege,

        // Refused at login, 1045 is a failed connection; the session opens only after login, so
        // once commands run it means a missing privilege (SELECT … INTO OUTFILE without FILE).
        AccessDenied => ConnectorErrorKinds.InsufficientPrivilege,
        _ => ConnectorErrorKinds.DatabaseError,
    };

    private static MySqlSslMode SslModeOf(CredentialValues ssl) => ssl switch
    {
        { IsGiven: false } => MySqlSslMode.Preferred,
        _ when ssl.Flag("disabled") => MySqlSslMode.None,

        // Required encrypts without checking the server's certificate; with ca_data the callback of
        // CreateDataSource checks it (chain to that CA, and the host name) in memory.
        _ => MySqlSslMode.Required,
    };

    private static double? ConnectTimeoutSeconds(CredentialValues args) => args.Seconds("connect_timeout", 0, int.MaxValue);

    private static double? QueryTimeoutSeconds(CredentialValues args) => args.Seconds("query_timeout_in_seconds", 0, int.MaxValue);
}
