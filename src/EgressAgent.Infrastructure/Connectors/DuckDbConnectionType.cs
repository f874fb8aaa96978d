using System.Data.Common;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using DuckDB.NET.Native;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors.Sql;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>duckdb</c> and <c>motherduck</c> (docs/protocol.md §12.4, docs/connectors.md): DuckDB in
/// process through DuckDB.NET. <c>database</c> is a file, <c>:memory:</c> or <c>md:&lt;db&gt;</c>
/// (with <c>token</c>); <c>connect_args</c> may also be that string itself. Read-only files are
/// opened with <c>access_mode=READ_ONLY</c> and no file system access at all (no COPY TO, ATTACH,
/// read_csv of local files, INSTALL/LOAD), with the configuration locked so SET cannot undo it.
/// </summary>
internal sealed class DuckDbConnectionType : SqlConnectionType
{
    private const string MotherDuckPrefix = "md:";
    private const string InMemory = ":memory:";

    public override IReadOnlyList<string> Names { get; } = ["duckdb", "motherduck"];

    public override SqlParameterStyle ParameterStyle => SqlParameterStyle.QuestionMark;

    /// <summary>DuckDB.NET's async methods run synchronously (measured: ExecuteScalarAsync returns completed after the query).</summary>
    public override bool Blocking => true;

    public override DbDataSource CreateDataSource(ConnectionRequest request)
    {
        var connectionString = ConnectionStringFor(request);
        return DuckDBClientFactory.Instance.CreateDataSource(connectionString);
    }

    /// <summary>The DuckDB.NET connection string for these credentials (tested without opening it).</summary>
    internal static string ConnectionStringFor(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var database = DatabaseOf(request);
        var builder = new DuckDBConnectionStringBuilder { DataSource = database };
        if (database.StartsWith(MotherDuckPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // MotherDuck's extension is loaded from the network and the data lives there: nothing
            // local to lock down; read-only is the token's (a read-scaling token), see docs/connectors.md.
            return builder.ConnectionString;
        }

        if (database != InMemory && !File.Exists(database))
        {
            throw new OperationFailedException($"DuckDB database file does not exist: {database}", ConnectorErrorKinds.ConnectionError);
        }

        if (request.ReadOnly)
        {
            if (database != InMemory)
            {
                // DuckDB refuses READ_ONLY for an in-memory database (there is nothing to protect).
                builder.AccessMode = DuckDBAccessMode.ReadOnly;
            }

            builder.EnableExternalAccess = false;
            builder.AutoinstallKnownExtensions = false;
            builder.AutoloadKnownExtensions = false;
            builder.LockConfiguration = true;
        }

        return builder.ConnectionString;
    }

    private static string DatabaseOf(ConnectionRequest request)
    {
        var connectArgs = request.Credentials["connect_args"];
        string database;
        string? token = null;
        switch (connectArgs)
        {
            case null:
                database = InMemory;
                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                database = text;
                break;
            case JsonObject args:
                var values = CredentialValues.ConnectArgs(args);
                database = values.Text("database", "path") ?? InMemory;
                token = values.Text("token", "motherduck_token");
                break;
            default:
                throw CredentialValues.Invalid("connect_args must be an object or a database string");
        }

        database = database.Trim();
        if (database.Length == 0)
        {
            database = InMemory;
        }

        var isMotherDuck = database.StartsWith(MotherDuckPrefix, StringComparison.OrdinalIgnoreCase);
        if (string.Equals(request.TypeName, "motherduck", StringComparison.OrdinalIgnoreCase) && !isMotherDuck)
        {
            database = MotherDuckPrefix + database;
            isMotherDuck = true;
        }

        if (token is not null)
        {
            if (!isMotherDuck)
            {
                throw CredentialValues.Invalid("token is for MotherDuck (database md:<db>) only");
            }

            database += (database.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "motherduck_token=" + Uri.EscapeDataString(token);
        }

        return database;
    }

    public override object? ReadValue(DbDataReader reader, int ordinal) => DuckDbValues.Read(reader, ordinal);

    public override SqlColumnFacts ColumnFactsOf(DbDataReader reader, int ordinal) => DuckDbValues.FactsOf(reader, ordinal);

    public override SqlConnectorError? DescribeError(Exception exception) =>
        exception is DuckDBException duck ? DescribeDuckDbError(duck.ErrorType, duck.Message) : null;

    /// <summary>
    /// The error result of a DuckDB error: an interrupt (cancellation, timeout) is <c>QueryCanceled</c>,
    /// a permission error (file access refused by the read-only configuration) <c>InsufficientPrivilege</c>,
    /// anything else <c>DatabaseError</c>; <c>error_type</c> names DuckDB's class of error.
    /// </summary>
    internal static SqlConnectorError DescribeDuckDbError(DuckDBErrorType errorType, string message)
    {
        var kind = errorType switch
        {
            DuckDBErrorType.Interrupt => ConnectorErrorKinds.QueryCanceled,
            DuckDBErrorType.Permission => ConnectorErrorKinds.InsufficientPrivilege,
            _ when message.StartsWith("Permission Error", StringComparison.Ordinal) => ConnectorErrorKinds.InsufficientPrivilege,
            _ when message.StartsWith("INTERRUPT Error", StringComparison.OrdinalIgnoreCase) => ConnectorErrorKinds.QueryCanceled,
            _ => ConnectorErrorKinds.DatabaseError,
        };
        return new SqlConnectorError(message, kind, nameof(DuckDBException), new JsonObject { ["error_type"] = errorType.ToString() });
    }
}
