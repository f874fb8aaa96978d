using System.Collections.Frozen;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using Npgsql;
using NpgsqlTypes;

namespace EgressAgent.Infrastructure.Connectors.Sql;

/// <summary>
/// What <c>postgres</c> and <c>redshift</c> share (docs/protocol.md §12.4, docs/connectors.md): Npgsql,
/// credentials and TLS from <c>connect_args</c>/<c>ssl_options</c> held in memory only (no
/// certificate or key file), a connect timeout, TCP keepalive and a bounded pool; each statement
/// sent as the single command of a batch (the server refuses <c>commit; delete …</c> there); a
/// read-only session is a <c>READ ONLY</c> transaction with <c>statement_timeout</c>, set up in one
/// round trip; <c>type_code</c> is the OID and the other description facts those psycopg2 gives;
/// errors by SQLSTATE.
/// </summary>
internal abstract class NpgsqlConnectionType : SqlConnectionType
{
    /// <summary>At most this many connections per data source: one per worker is plenty, and a cached client never grows past it.</summary>
    public const int MaxPoolSize = 8;

    private const string QueryCanceledState = "57014";
    private const string InsufficientPrivilegeState = "42501";

    /// <summary><c>pg_type.typlen</c> of the fixed-size built-in types by OID; anything else is variable (-1).</summary>
    private static readonly FrozenDictionary<uint, int> FixedSizes = new Dictionary<uint, int>
    {
        [16] = 1, [18] = 1, [19] = 64, [20] = 8, [21] = 2, [23] = 4, [26] = 4, [27] = 6, [28] = 4, [29] = 4,
        [600] = 16, [700] = 4, [701] = 8, [790] = 8, [829] = 6, [774] = 8, [1082] = 4, [1083] = 8, [1114] = 8,
        [1184] = 8, [1186] = 16, [1266] = 12, [2950] = 16, [3220] = 8, [5069] = 8,
    }.ToFrozenDictionary();

    public override SqlParameterStyle ParameterStyle => SqlParameterStyle.Format;

    public override bool ExecutesAsBatch => true;

    /// <summary>The server's default port (5432, Redshift 5439).</summary>
    protected abstract int DefaultPort { get; }

    /// <summary>The connect timeout when <c>connect_timeout</c> is not given.</summary>
    protected virtual TimeSpan DefaultConnectTimeout => TimeSpan.FromSeconds(15);

    public override string PositionalPlaceholder(int index) => "$" + (index + 1).ToString(CultureInfo.InvariantCulture);

    public override string NamedPlaceholder(string name) => "@" + name;

    public override DbDataSource CreateDataSource(ConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var args = CredentialValues.ConnectArgs(request);
        var ssl = CredentialValues.SslOptions(request);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = args.Text("host") ?? throw CredentialValues.Invalid("connect_args.host is required"),
            Port = args.Port() ?? DefaultPort,
            Database = args.Text("dbname", "database", "db_name"),
            Username = args.Text("user", "username"),
            Password = args.Text("password"),
            Timeout = args.Seconds("connect_timeout", 1, 1024) is { } timeout ? (int)Math.Ceiling(timeout) : (int)DefaultConnectTimeout.TotalSeconds,
            ApplicationName = args.Text("application_name") ?? "egress-agent",
            TcpKeepAlive = true,
            KeepAlive = 30, // seconds idle before a keepalive query: a dead peer is found while a long query waits
            MaxPoolSize = MaxPoolSize,
            CommandTimeout = 0, // each statement gets its own (SqlCursor)
            SslMode = SslModeOf(args, ssl),
        };
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        Configure(dataSource);
        AddCertificates(dataSource, ssl);

        return dataSource.Build();
    }

    /// <summary>Type-specific settings of the data source (Redshift: no type loading, no reset on close).</summary>
    protected virtual void Configure(NpgsqlDataSourceBuilder builder)
    {
    }

    /// <summary>The statement that refuses a privileged role in the set-up round trip (its rows are read by <see cref="Executors.Sql.PostgresRoleCheck"/>), or null for none.</summary>
    protected virtual string? RoleCheckQuery(ConnectionRequest request) => null;

    /// <summary>Reads the role check's rows; throws for a refused role.</summary>
    protected virtual Task ThrowIfPrivilegedAsync(DbDataReader reader, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Read-only: <c>BEGIN</c> (sent with the next command), <c>SET TRANSACTION READ ONLY</c>,
    /// <c>SET LOCAL statement_timeout</c> and the role check, one round trip; the transaction is
    /// rolled back when the session ends. Not read-only: no transaction (each statement commits on
    /// its own, autocommit as psycopg2 does with it on), <c>statement_timeout</c> for the session
    /// (Npgsql resets session state when the connection returns to the pool), and the role check still.
    /// </summary>
    public override async Task<DbTransaction?> BeginSessionAsync(DbConnection connection, ConnectionRequest request, TimeSpan? commandTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var npgsql = (NpgsqlConnection)connection;
        var transaction = request.ReadOnly ? await npgsql.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var milliseconds = commandTimeout is { } timeout ? (long)Math.Ceiling(timeout.TotalMilliseconds) : 0; // 0: no limit
            var setup = new StringBuilder();
            setup.Append(request.ReadOnly ? "SET TRANSACTION READ ONLY; SET LOCAL" : "SET")
                .Append(CultureInfo.InvariantCulture, $" statement_timeout = {milliseconds}; ");
            var check = RoleCheckQuery(request);
            setup.Append(check);
            await using var command = new NpgsqlCommand(setup.ToString(), npgsql, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (check is not null)
            {
                // The SETs return no rows: the reader stands on the role check's.
                await ThrowIfPrivilegedAsync(reader, cancellationToken);
            }

            return transaction;
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            throw;
        }
    }

    public override void SetParameterValue(DbParameter parameter, object value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.Value = value;
        if (value is string && parameter is NpgsqlParameter npgsql)
        {
            // Sent untyped, as psycopg2 sends a quoted literal: the server infers the type from
            // where it stands ('2024-05-01' against a timestamp column, '{1,2}' against an array).
            npgsql.NpgsqlDbType = NpgsqlDbType.Unknown;
        }
    }

    // Npgsql cancels a running statement on the server itself when the token it was given fires.
    public override CancellationTokenRegistration RegisterCancellation(DbConnection connection, Action cancelStatement, CancellationToken cancellationToken) => default;

    public override JsonNode? TypeCodeOf(DbDataReader reader, int ordinal) => JsonValue.Create(((NpgsqlDataReader)reader).GetDataTypeOID(ordinal));

    /// <summary>
    /// As psycopg2: <c>internal_size</c> is <c>pg_type.typlen</c> (-1 for variable-size types),
    /// <c>precision</c>/<c>scale</c> those of a <c>numeric(p,s)</c>, the rest unknown.
    /// </summary>
    public override SqlColumnFacts ColumnFactsOf(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var oid = ((NpgsqlDataReader)reader).GetDataTypeOID(ordinal);
        int? precision = null, scale = null;
        if (oid == 1700 && NumericFacets(reader.GetDataTypeName(ordinal)) is var (p, s))
        {
            precision = p;
            scale = s;
        }

        return new SqlColumnFacts(null, FixedSizes.GetValueOrDefault(oid, -1), precision, scale, null);
    }

    public override Func<DbDataReader, int, object?> ValueReaderFor(DbDataReader reader, int ordinal) =>
        ((NpgsqlDataReader)reader).GetDataTypeOID(ordinal) switch
        {
            1700 => Numeric,
            1082 => static (r, i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i),
            1083 => static (r, i) => r.IsDBNull(i) ? null : r.GetFieldValue<TimeOnly>(i),
            114 or 3802 => static (r, i) => r.IsDBNull(i) ? null : JsonNode.Parse(r.GetString(i)),
            1186 => Interval,
            869 => static (r, i) => r.IsDBNull(i) ? null : r.GetFieldValue<NpgsqlInet>(i).ToString(), // with its netmask, as PostgreSQL writes it
            _ => ReadValue,
        };

    public override object? ReadValue(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
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
            throw new OperationFailedException(
                $"Column '{reader.GetName(ordinal)}' ({reader.GetDataTypeName(ordinal)}) cannot be read: the driver has no type for it; cast it to text in the query",
                ConnectorErrorKinds.DatabaseError) { ExceptionText = $"NotSupportedError: column '{reader.GetName(ordinal)}' ({reader.GetDataTypeName(ordinal)}) cannot be read" };
        }
    }

    public override SqlConnectorError? DescribeError(Exception exception) => exception switch
    {
        PostgresException postgres => new SqlConnectorError(
            postgres.MessageText,
            KindOf(postgres.SqlState),
            KindOf(postgres.SqlState),
            new JsonObject { ["sqlstate"] = postgres.SqlState }),
        NpgsqlException { InnerException: TimeoutException } timeout => new SqlConnectorError(
            timeout.Message, ConnectorErrorKinds.QueryCanceled, ConnectorErrorKinds.QueryCanceled, null),
        NpgsqlException npgsql => new SqlConnectorError(npgsql.Message, ConnectorErrorKinds.DatabaseError, "OperationalError", null),
        _ => null,
    };

    private static string KindOf(string sqlState) => sqlState switch
    {
        QueryCanceledState => ConnectorErrorKinds.QueryCanceled,
        InsufficientPrivilegeState => ConnectorErrorKinds.InsufficientPrivilege,
        _ => ConnectorErrorKinds.DatabaseError,
    };

    /// <summary>
    /// A numeric within <see cref="decimal"/>'s range is read as one (digits and scale kept: 10.50);
    /// beyond it (40 digits), or NaN and the infinities, from the wire's own digits, exactly.
    /// </summary>
    private static object? Numeric(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        try
        {
            return reader.GetDecimal(ordinal);
        }
        catch (Exception ex) when (ex is OverflowException or InvalidCastException)
        {
            using var stream = reader.GetStream(ordinal);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            var text = NumericText(bytes);
            return text is "NaN" or "Infinity" or "-Infinity" ? text : WireValues.Tagged("decimal", text);
        }
    }

    /// <summary>
    /// PostgreSQL's binary numeric: ndigits, weight, sign, dscale (int16 each), then base-10000
    /// digits; the value is Σ digit × 10000^(weight − i), written with dscale decimals.
    /// </summary>
    internal static string NumericText(ReadOnlySpan<byte> data)
    {
        static int Int16(ReadOnlySpan<byte> d, int at) => (short)((d[at] << 8) | d[at + 1]);
        var count = Int16(data, 0);
        var weight = Int16(data, 2);
        var sign = (ushort)Int16(data, 4);
        var scale = Int16(data, 6);
        switch (sign)
        {
            case 0xC000: return "NaN";
            case 0xD000: return "Infinity";
            case 0xF000: return "-Infinity";
        }

        var unscaled = BigInteger.Zero;
        for (var i = 0; i < count; i++)
        {
            unscaled = (unscaled * 10000) + Int16(data, 8 + (2 * i));
        }

        // unscaled × 10000^(weight − count + 1) = value; bring it to dscale decimals.
        var exponent = 4 * (weight - count + 1);
        var shift = exponent + scale;
        unscaled = shift >= 0 ? unscaled * BigInteger.Pow(10, shift) : unscaled / BigInteger.Pow(10, -shift);
        var digits = unscaled.ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        var text = scale == 0 ? digits : $"{digits[..^scale]}.{digits[^scale..]}";
        return sign == 0x4000 ? "-" + text : text;
    }

    private static object? Interval(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        var interval = reader.GetFieldValue<NpgsqlInterval>(ordinal);
        var time = TimeSpan.FromTicks(interval.Time * TimeSpan.TicksPerMicrosecond);
        if (interval.Months == 0)
        {
            return time + TimeSpan.FromDays(interval.Days); // a TimeSpan's invariant text: "1.02:03:04"
        }

        // Months have no fixed length: PostgreSQL's own words for them.
        var years = interval.Months / 12;
        var months = interval.Months % 12;
        var parts = new List<string>();
        if (years != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{years} year{(Math.Abs(years) == 1 ? string.Empty : "s")}"));
        }

        if (months != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{months} mon{(Math.Abs(months) == 1 ? string.Empty : "s")}"));
        }

        if (interval.Days != 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{interval.Days} day{(Math.Abs(interval.Days) == 1 ? string.Empty : "s")}"));
        }

        if (interval.Time != 0)
        {
            parts.Add(time.ToString("c", CultureInfo.InvariantCulture));
        }

        return string.Join(' ', parts);
    }

    private static (int Precision, int Scale)? NumericFacets(string typeName)
    {
        // Npgsql names a numeric column with its facets: "numeric(10,2)".
        var open = typeName.IndexOf('(', StringComparison.Ordinal);
        var comma = typeName.IndexOf(',', StringComparison.Ordinal);
        var close = typeName.IndexOf(')', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return null;
        }

        var precisionText = typeName[(open + 1)..(comma > open ? comma : close)];
        var scaleText = comma > open ? typeName[(comma + 1)..close] : "0";
        return int.TryParse(precisionText, CultureInfo.InvariantCulture, out var p) && int.TryParse(scaleText, CultureInfo.InvariantCulture, out var s) ? (p, s) : null;
    }

    private static SslMode SslModeOf(CredentialValues args, CredentialValues ssl)
    {
        if (ssl.Flag("disabled"))
        {
            return SslMode.Disable;
        }

        var mode = args.Text("sslmode")?.ToUpperInvariant() switch
        {
            null => (SslMode?)null,
            "DISABLE" => SslMode.Disable,
            "ALLOW" => SslMode.Allow,
            "PREFER" => SslMode.Prefer,
            "REQUIRE" => SslMode.Require,
            "VERIFY-CA" => SslMode.VerifyCA,
            "VERIFY-FULL" => SslMode.VerifyFull,
            _ => throw CredentialValues.Invalid("connect_args.sslmode must be disable, allow, prefer, require, verify-ca or verify-full"),
        };
        if (ssl.Flag("skip_cert_verification"))
        {
            return mode is null or SslMode.VerifyCA or SslMode.VerifyFull ? SslMode.Require : mode.Value; // encrypted, the certificate not checked
        }

        // With a CA, require means verify-ca (libpq's rule when a root certificate is present).
        return ssl.Text("ca_data") is not null && mode is null or SslMode.Require ? SslMode.VerifyCA : mode ?? SslMode.Prefer;
    }

    /// <summary>The CA and the client certificate from PEM text (<see cref="TlsMaterial"/>), in memory: nothing is written to disk.</summary>
    private static void AddCertificates(NpgsqlDataSourceBuilder builder, CredentialValues ssl)
    {
        if (TlsMaterial.Authorities(ssl) is { } roots)
        {
            builder.UseRootCertificates(roots);
        }

        if (TlsMaterial.ClientCertificate(ssl) is { } certificate)
        {
            var certificates = new X509CertificateCollection { certificate };
            builder.UseSslClientAuthenticationOptionsCallback(options => options.ClientCertificates = certificates);
        }
    }
}
