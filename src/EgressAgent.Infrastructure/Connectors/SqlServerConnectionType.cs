using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors.Sql;
using Microsoft.Data.SqlClient;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// <c>sql-server</c>, <c>azure-sql-database</c>, <c>azure-dedicated-sql-pool</c> and
/// <c>microsoft-fabric</c> (docs/protocol.md §12.4) through Microsoft.Data.SqlClient. Credentials
/// are <c>connect_args</c> keys or an ODBC-style string; read-only is
/// <c>ApplicationIntent=ReadOnly</c>, which routes to a readable secondary where one exists and is
/// otherwise advisory (docs/connectors.md). Not run against a live server here (docs/adr/0039).
/// </summary>
internal sealed class SqlServerConnectionType : SqlConnectionType
{
    private const int DefaultPort = 1433;
    private static readonly TimeSpan DefaultLoginTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan DefaultQueryTimeout = TimeSpan.FromSeconds(840);

    public override IReadOnlyList<string> Names { get; } = ["sql-server", "azure-sql-database", "azure-dedicated-sql-pool", "microsoft-fabric"];

    public override SqlParameterStyle ParameterStyle => SqlParameterStyle.QuestionMark;

    /// <summary>
    /// SqlClient refuses to open any connection in .NET's globalization-invariant mode ("Globalization
    /// Invariant Mode is not supported", measured in the JIT and the native build). The agent runs
    /// with ICU (docs/adr/0040); a host without it starts the agent with
    /// <c>DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1</c>, and then this type says so instead of failing
    /// inside the driver. Detected as SqlClient does: by what a specific culture looks like, since
    /// the environment variable sets no AppContext switch.
    /// </summary>
    public override string? UnavailableReason => GlobalizationInvariant.Value
        ? "Microsoft.Data.SqlClient does not support .NET's globalization-invariant mode, which this agent runs in (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT or a build without ICU; docs/adr/0040)"
        : null;

    private static readonly Lazy<bool> GlobalizationInvariant = new(() =>
    {
        try
        {
            return CultureInfo.GetCultureInfo("en-US").EnglishName.Contains("Invariant", StringComparison.Ordinal);
        }
        catch (CultureNotFoundException)
        {
            return true; // invariant mode with predefined cultures only: no culture but the invariant one exists
        }
    });

    /// <summary>SqlClient does not understand <c>?</c>: the runtime rewrites the i-th one to <c>@p{i+1}</c>.</summary>
    public override string PositionalPlaceholder(int index) => "@p" + (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Bound under the name its placeholder uses.</summary>
    public override string PositionalParameterName(int index) => PositionalPlaceholder(index);

    public override DbDataSource CreateDataSource(ConnectionRequest request) =>
        SqlClientFactory.Instance.CreateDataSource(ConnectionStringFor(request));

    public override TimeSpan? QueryTimeout(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ConnectArgs is { } args ? SecondsOf(CredentialValues.ConnectArgs(args), "query_timeout_in_seconds") ?? DefaultQueryTimeout : DefaultQueryTimeout;
    }

    /// <summary>The SqlClient connection string for these credentials (tested without a server).</summary>
    internal static string ConnectionStringFor(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = request.Credentials["connect_args"] switch
        {
            JsonObject args => FromArguments(CredentialValues.ConnectArgs(args)),
            JsonValue value when value.TryGetValue<string>(out var odbc) => SqlServerOdbcString.Translate(odbc),
            _ => throw CredentialValues.Invalid("connect_args must be an object or an ODBC connection string"),
        };

        if (string.IsNullOrEmpty(builder.DataSource))
        {
            throw CredentialValues.Invalid("connect_args has no host (or SERVER)");
        }

        ApplySslOptions(builder, CredentialValues.SslOptions(request));
        builder.ApplicationName = "EgressAgent";
        builder.MaxPoolSize = 16;
        if (request.ReadOnly)
        {
            builder.ApplicationIntent = ApplicationIntent.ReadOnly;
        }

        return builder.ConnectionString;
    }

    private static SqlConnectionStringBuilder FromArguments(CredentialValues args)
    {
        var host = args.Text("host", "server");
        var port = args.Port() ?? DefaultPort;
        return new SqlConnectionStringBuilder
        {
            DataSource = host is null ? string.Empty : $"tcp:{host},{port.ToString(CultureInfo.InvariantCulture)}",
            ConnectTimeout = (int)(SecondsOf(args, "login_timeout") ?? DefaultLoginTimeout).TotalSeconds,
            UserID = args.Text("user", "username") ?? string.Empty,
            Password = args.Text("password") ?? string.Empty,
            InitialCatalog = args.Text("database", "dbname") ?? string.Empty,
        };
    }

    /// <summary>
    /// <c>ssl_options</c>: <c>skip_cert_verification</c> → TrustServerCertificate, <c>disabled</c> →
    /// Encrypt=false. SqlClient validates the server against the system trust store only and takes no
    /// CA from memory, so <c>ca_data</c> is not used (docs/connectors.md); SQL Server has no client certificates.
    /// </summary>
    private static void ApplySslOptions(SqlConnectionStringBuilder builder, CredentialValues ssl)
    {
        if (ssl.Flag("disabled"))
        {
            builder.Encrypt = SqlConnectionEncryptOption.Optional;
        }

        if (ssl.Flag("skip_cert_verification"))
        {
            builder.TrustServerCertificate = true;
        }
    }

    /// <summary>A timeout: SqlClient takes whole seconds, and 0 would mean none at all.</summary>
    private static TimeSpan? SecondsOf(CredentialValues args, string key) =>
        args.Seconds(key, 1, 86_400) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    public override object? ReadValue(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        return reader.GetDataTypeName(ordinal) switch
        {
            // decimal(38, s) may exceed System.Decimal: SqlDecimal keeps every digit and the scale.
            "decimal" or "numeric" when reader is SqlDataReader sql => WireValues.Tagged("decimal", sql.GetSqlDecimal(ordinal).ToString()),
            "date" => DateOnly.FromDateTime(reader.GetDateTime(ordinal)),
            "time" => TimeOnly.FromTimeSpan((TimeSpan)reader.GetValue(ordinal)),
            _ => reader.GetValue(ordinal),
        };
    }

    public override SqlConnectorError? DescribeError(Exception exception) =>
        exception is SqlException sql ? DescribeSqlError(sql.Number, sql.State, sql.Class, sql.Message) : null;

    /// <summary>
    /// The error result of a SQL Server error (docs/connectors.md): timeout or cancellation (-2, 3980,
    /// and SqlClient's "Operation cancelled by user") is <c>QueryCanceled</c>; permission denied
    /// (229, 230, 262, 297, 300) <c>InsufficientPrivilege</c>; login failed (18456) <c>ConnectionError</c>;
    /// else <c>DatabaseError</c>. Attributes: <c>errno</c> (the error number), <c>state</c> and
    /// <c>severity</c> (class) — SQL Server reports no SQLSTATE through SqlClient.
    /// </summary>
    internal static SqlConnectorError DescribeSqlError(int number, byte state, byte severity, string message)
    {
        var kind = number switch
        {
            -2 or 3980 => ConnectorErrorKinds.QueryCanceled,
            0 when message.Contains("cancelled by user", StringComparison.OrdinalIgnoreCase) => ConnectorErrorKinds.QueryCanceled,
            229 or 230 or 262 or 297 or 300 => ConnectorErrorKinds.InsufficientPrivilege,
            18456 => ConnectorErrorKinds.ConnectionError,
            _ => ConnectorErrorKinds.DatabaseError,
        };
        var attributes = new JsonObject { ["errno"] = number, ["state"] = state, ["severity"] = severity };
        return new SqlConnectorError(message, kind, nameof(SqlException), attributes);
    }
}
