using System.Data.Common;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Infrastructure.Connectors.Sql;
using EgressAgent.Infrastructure.Executors.Sql;
using Microsoft.Data.Sqlite;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>sqlite</c> (docs/protocol.md §12.4): <c>database</c> is the path of an existing file; nothing
/// is ever created. Read-only twice over, enforced by SQLite itself: the file is opened
/// <c>Mode=ReadOnly</c> and an authorizer allows reads only (<see cref="SqliteReadOnlyAuthorizer"/>,
/// docs/adr/0018: no <c>ATTACH</c>, <c>VACUUM INTO</c>, writing pragmas or <c>load_extension</c>).
/// Microsoft.Data.Sqlite runs statements synchronously, so each call gets a thread of its own
/// (<see cref="Blocking"/>) and a cancelled token interrupts the statement (<c>sqlite3_interrupt</c>).
/// <c>?</c> placeholders become SQLite's numbered <c>?1</c>, <c>?2</c> (outside literals); <c>type_code</c> is the declared type.
/// </summary>
internal sealed class SqliteConnectionType : SqlConnectionType
{
    public override IReadOnlyList<string> Names { get; } = ["sqlite"];

    public override SqlParameterStyle ParameterStyle => SqlParameterStyle.QuestionMark;

    public override bool Blocking => true;

    public override DbDataSource CreateDataSource(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = CredentialValues.ConnectArgs(request).Text("database")
            ?? throw CredentialValues.Invalid("connect_args.database (the path of a SQLite file) is required");
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = request.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite, // never ReadWriteCreate: a missing file is an error
        };
        return SqliteFactory.Instance.CreateDataSource(builder.ToString());
    }

    public override Task<DbTransaction?> BeginSessionAsync(DbConnection connection, ConnectionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sqlite = (SqliteConnection)connection;

        // Loading extensions is off by default; keep it off explicitly. The authorizer goes on
        // after opening: Microsoft.Data.Sqlite runs the connection string's pragmas while it opens.
        sqlite.EnableExtensions(false);
        if (request.ReadOnly)
        {
            SqliteReadOnlyAuthorizer.Install(sqlite.Handle!);
        }

        return Task.FromResult<DbTransaction?>(null);
    }

    // The pool keeps the native connection: the authorizer leaves with the session, the next installs it again.
    public override void EndSession(DbConnection connection)
    {
        if (((SqliteConnection)connection).Handle is { } handle)
        {
            SqliteReadOnlyAuthorizer.Remove(handle);
        }
    }

    // Microsoft.Data.Sqlite ignores the token once a statement runs; sqlite3_interrupt stops it at the next opcode.
    public override CancellationTokenRegistration RegisterCancellation(DbConnection connection, Action cancelStatement, CancellationToken cancellationToken)
    {
        var handle = ((SqliteConnection)connection).Handle;
        return cancellationToken.Register(() => SQLitePCL.raw.sqlite3_interrupt(handle));
    }

    // Microsoft.Data.Sqlite binds by name only, and SQLite gives a bare ? none: each ? outside
    // literals becomes ?1, ?2, … (SQLite's numbered form), bound under that name.
    public override string PositionalPlaceholder(int index) => "?" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override string PositionalParameterName(int index) => PositionalPlaceholder(index);

    // A name without prefix binds :name, @name and $name alike.
    public override string NamedPlaceholder(string name) => name;

    /// <summary>The column's declared type (SQLite's own name for what the value is when there is none).</summary>
    public override JsonNode? TypeCodeOf(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var name = reader.GetDataTypeName(ordinal);
        return string.IsNullOrEmpty(name) ? null : JsonValue.Create(name);
    }

    /// <summary>The declared type says what a value means: DATE text is a date, DECIMAL a decimal (<see cref="SqliteValues"/>).</summary>
    public override Func<DbDataReader, int, object?> ValueReaderFor(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return SqliteValues.ReaderFor(reader.GetDataTypeName(ordinal));
    }

    /// <summary>SQLite's errors are <c>DatabaseError</c>s (a refused statement too: <c>SQLITE_AUTH</c>), with SQLite's result code as <c>errno</c> and its C name.</summary>
    public override SqlConnectorError? DescribeError(Exception exception) => exception is SqliteException sqlite
        ? new SqlConnectorError(
            sqlite.Message,
            ConnectorErrorKinds.DatabaseError,
            ConnectorErrorKinds.DatabaseError,
            new JsonObject { ["errno"] = sqlite.SqliteErrorCode, ["sqlite_errorname"] = SqliteErrorNames.Of(sqlite.SqliteErrorCode) })
        : null;
}
