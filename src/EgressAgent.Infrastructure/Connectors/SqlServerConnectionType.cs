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
        return request.ConnectArgs is { } args ? SecondsOf(args, "query_timeout_in_seconds") ?? DefaultQueryTimeout : DefaultQueryTimeout;
    }

    /// <summary>The SqlClient connection string for these credentials (tested without a server).</summary>
    internal static string ConnectionStringFor(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = request.Credentials["connect_args"] switch
        {
            JsonObject args => FromArguments(args),
            JsonValue value when value.TryGetValue<string>(out var odbc) => SqlServerOdbcString.Translate(odbc),
            _ => throw new OperationFailedException("connect_args must be an object or an ODBC connection string", ConnectorErrorKinds.CredentialsError),
        };

        if (string.IsNullOrEmpty(builder.DataSource))
        {
            throw new OperationFailedException("connect_args has no host (or SERVER)", ConnectorErrorKinds.CredentialsError);
        }

        ApplySslOptions(builder, request.SslOptions);
        builder.ApplicationName = "EgressAgent";
        builder.MaxPoolSize = 16;
        if (request.ReadOnly)
        {
            builder.ApplicationIntent = ApplicationIntent.ReadOnly;
        }

        return builder.ConnectionString;
    }

    private static SqlConnectionStringBuilder FromArguments(JsonObject args)
    {
        var host = TextOf(args, "host") ?? TextOf(args, "server");
        var port = IntOf(args, "port") ?? DefaultPort;
        var builder = new SqlConnectionStringBuilder
        {
            DataSource = host is null ? string.Empty : $"tcp:{host},{port.ToString(CultureInfo.InvariantCulture)}",
            ConnectTimeout = (int)(SecondsOf(args, "login_timeout") ?? DefaultLoginTimeout).TotalSeconds,
        };
        if ((TextOf(args, "user") ?? TextOf(args, "username")) is { } user)
        {
            builder.UserID = user;
        }

        if (TextOf(args, "password") is { } password)
        {
            builder.Password = password;
        }

        if ((TextOf(args, "database") ?? TextOf(args, "dbname")) is { } database)
        {
            builder.InitialCatalog = database;
        }

        return builder;
    }

    /// <summary>
    /// <c>ssl_options</c>: <c>skip_cert_verification</c> → TrustServerCertificate, <c>disabled</c> →
    /// Encrypt=false. SqlClient validates the server against the system trust store only and takes no
    /// CA from memory, so <c>ca_data</c> is not used (docs/connectors.md); SQL Server has no client certificates.
    /// </summary>
    private static void ApplySslOptions(SqlConnectionStringBuilder builder, JsonObject? ssl)
    {
        if (ssl is null)
        {
            return;
        }

        if (FlagOf(ssl, "disabled"))
        {
            builder.Encrypt = SqlConnectionEncryptOption.Optional;
        }

        if (FlagOf(ssl, "skip_cert_verification"))
        {
            builder.TrustServerCertificate = true;
        }
    }

    private static bool FlagOf(JsonObject args, string key) => args[key] is JsonValue value &&
        (value.TryGetValue<bool>(out var flag) ? flag : value.TryGetValue<string>(out var text) && bool.TryParse(text, out flag) && flag);

    private static string? TextOf(JsonObject args, string key) => args[key] switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length > 0 ? text : null,
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    };

    private static string? NumberTextOf(JsonValue value) => value.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.Number => value.ToJsonString(),
        System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        _ => null,
    };

    private static int? IntOf(JsonObject args, string key) => TextOf(args, key) is { } text
        ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 65535
            ? number
            : throw new OperationFailedException($"connect_args.{key} must be a number from 1 to 65535", ConnectorErrorKinds.CredentialsError)
        : null;

    private static TimeSpan? SecondsOf(JsonObject args, string key) => args[key] switch
    {
        null => null,
        JsonValue value when NumberTextOf(value) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 86_400 => TimeSpan.FromSeconds(seconds),
        _ => throw new OperationFailedException($"connect_args.{key} must be a number of seconds from 0 to 86400", ConnectorErrorKinds.CredentialsError),
    };

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
            "decimal" or "numeric" when reader is SqlDataReader sql => new JsonObject { ["__type__"] = "decimal", ["__data__"] = sql.GetSqlDecimal(ordinal).ToString() },
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
