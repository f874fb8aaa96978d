using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using DuckDB.NET.Native;
using EgressAgent.Application.Connectors;
using EgressAgent.Application.Execution;
using EgressAgent.Infrastructure.Connectors.Sql;

namespace EgressAgent.Infrastructure.Connectors;

/// <summary>
/// DuckDB values as docs/protocol.md §12.3 writes them, read past DuckDB.NET's lossy defaults:
/// DECIMAL from its unscaled integer (exact at every width, scale kept — DuckDB.NET's
/// <see cref="decimal"/> drops digits beyond 28), HUGEINT as an exact JSON number, TIMESTAMPTZ
/// with its UTC offset, infinite dates and timestamps as <c>"infinity"</c>/<c>"-infinity"</c>,
/// INTERVAL as an ISO-8601 duration (months kept), BLOB as bytes, LIST/ARRAY as arrays and
/// STRUCT/MAP as objects.
/// </summary>
internal static class DuckDbValues
{
    public static object? Read(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        var typeName = reader.GetDataTypeName(ordinal);
        try
        {
            return typeName switch
            {
                "Decimal" => DecimalOf((DuckDBDecimal)reader.GetProviderSpecificValue(ordinal)),
                "HugeInt" or "UnsignedHugeInt" or "VarInt" => Nested(reader.GetValue(ordinal)),
                "Timestamp" or "TimestampS" or "TimestampMs" or "TimestampNs" => TimestampOf(reader, ordinal),
                "TimestampTz" => TimestampTzOf(reader.GetFieldValue<DuckDBTimestamp>(ordinal)),
                "Date" => DateOf(reader.GetFieldValue<DuckDBDateOnly>(ordinal)),
                "TimeTz" => TimeTzOf((DateTimeOffset)reader.GetValue(ordinal)),
                "Interval" => IntervalOf(reader.GetFieldValue<DuckDBInterval>(ordinal)),
                "Blob" => Nested(reader.GetValue(ordinal)),
                "List" or "Array" => ListOf(reader, ordinal),
                "Struct" or "Map" => Nested(reader.GetValue(ordinal)),
                _ => reader.GetValue(ordinal),
            };
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or InvalidCastException or InvalidOperationException)
        {
            throw new OperationFailedException($"DuckDB.NET cannot read column {reader.GetName(ordinal)} of type {typeName}: {exception.Message}", ConnectorErrorKinds.DatabaseError, exception);
        }
    }

    /// <summary><c>precision</c> and <c>scale</c> of DECIMAL columns (DuckDB.NET knows no other facts).</summary>
    public static SqlColumnFacts FactsOf(DbDataReader reader, int ordinal)
    {
        if (reader.GetDataTypeName(ordinal) != "Decimal")
        {
            return SqlColumnFacts.Unknown;
        }

        var row = reader.GetSchemaTable()?.Rows[ordinal];
        return row is null
            ? SqlColumnFacts.Unknown
            : new SqlColumnFacts(null, null, IntOf(row["NumericPrecision"]), IntOf(row["NumericScale"]), null);
    }

    private static int? IntOf(object? value) => value is null or DBNull ? null : Convert.ToInt32(value, CultureInfo.InvariantCulture);

    /// <summary>The exact digits of a DuckDB decimal, scale kept (<c>1050</c> at scale 2 is <c>"10.50"</c>).</summary>
    internal static JsonObject DecimalOf(DuckDBDecimal value) => WireValues.Tagged("decimal", DecimalText(value.Value.ToBigInteger(), value.Scale));

    internal static string DecimalText(BigInteger unscaled, int scale)
    {
        var digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture);
        if (scale > 0)
        {
            digits = digits.PadLeft(scale + 1, '0');
            digits = string.Concat(digits.AsSpan(0, digits.Length - scale), ".", digits.AsSpan(digits.Length - scale));
        }

        return unscaled.Sign < 0 ? "-" + digits : digits;
    }

    private static object TimestampOf(DbDataReader reader, int ordinal)
    {
        var raw = reader.GetProviderSpecificValue(ordinal);
        if (raw is DuckDBTimestamp { IsInfinity: true } infinite)
        {
            return infinite.IsPositiveInfinity ? "infinity" : "-infinity";
        }

        return reader.GetDateTime(ordinal);
    }

    private static object TimestampTzOf(DuckDBTimestamp value) => value.IsInfinity
        ? (value.IsPositiveInfinity ? "infinity" : "-infinity")
        : new DateTimeOffset(DateTime.SpecifyKind(value.ToDateTime(), DateTimeKind.Unspecified), TimeSpan.Zero);

    private static object DateOf(DuckDBDateOnly value) => value.IsInfinity
        ? (value.IsPositiveInfinity ? "infinity" : "-infinity")
        : value.ToDateOnly();

    /// <summary>TIME WITH TIME ZONE: a <c>time</c> with its offset (<c>10:59:00+02:00</c>).</summary>
    internal static JsonObject TimeTzOf(DateTimeOffset value)
    {
        var time = TimeOnly.FromTimeSpan(value.TimeOfDay);
        var text = WireValues.ToJson(time)!["__data__"]!.GetValue<string>();
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return WireValues.Tagged("time", string.Create(CultureInfo.InvariantCulture, $"{text}{sign}{offset.Hours:00}:{offset.Minutes:00}"));
    }

    /// <summary>An INTERVAL as an ISO-8601 duration (<c>P14M3DT2H</c>); months are kept, never folded into days.</summary>
    internal static string IntervalOf(DuckDBInterval value)
    {
        var micros = unchecked((long)value.Micros);
        var builder = new StringBuilder("P");
        if (value.Months != 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{value.Months}M");
        }

        if (value.Days != 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{value.Days}D");
        }

        if (micros != 0 || builder.Length == 1)
        {
            builder.Append('T');
            var hours = micros / 3_600_000_000L;
            var minutes = micros / 60_000_000L % 60;
            var secondMicros = micros % 60_000_000L;
            if (hours != 0)
            {
                builder.Append(CultureInfo.InvariantCulture, $"{hours}H");
            }

            if (minutes != 0)
            {
                builder.Append(CultureInfo.InvariantCulture, $"{minutes}M");
            }

            if (secondMicros != 0 || (hours == 0 && minutes == 0))
            {
                builder.Append(DecimalText(secondMicros, 6).TrimEnd('0').TrimEnd('.')).Append('S');
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// A LIST or ARRAY. DuckDB.NET reads a list of a value type as <c>List&lt;T&gt;</c> and throws when
    /// an element is NULL; such a list is read again as <c>List&lt;T?&gt;</c> (one or two levels deep,
    /// the element types below; a deeper list of a value type with NULLs stays an error).
    /// </summary>
    private static JsonNode? ListOf(DbDataReader reader, int ordinal)
    {
        try
        {
            return Nested(reader.GetValue(ordinal));
        }
        catch (InvalidCastException)
        {
            var fieldType = reader.GetFieldType(ordinal);
            var element = fieldType.IsGenericType ? fieldType.GetGenericArguments()[0] : null;
            var inner = element is { IsGenericType: true } ? element.GetGenericArguments()[0] : null;
            if ((inner ?? element) is { } type && NullableListReaders.TryGetValue(type, out var read))
            {
                return read(reader, ordinal, inner is not null);
            }

            throw;
        }
    }

    private static readonly Dictionary<Type, Func<DbDataReader, int, bool, JsonNode?>> NullableListReaders = new()
    {
        [typeof(bool)] = NullableList<bool>,
        [typeof(sbyte)] = NullableList<sbyte>,
        [typeof(short)] = NullableList<short>,
        [typeof(int)] = NullableList<int>,
        [typeof(long)] = NullableList<long>,
        [typeof(byte)] = NullableList<byte>,
        [typeof(ushort)] = NullableList<ushort>,
        [typeof(uint)] = NullableList<uint>,
        [typeof(ulong)] = NullableList<ulong>,
        [typeof(float)] = NullableList<float>,
        [typeof(double)] = NullableList<double>,
        [typeof(decimal)] = NullableList<decimal>,
        [typeof(BigInteger)] = NullableList<BigInteger>,
        [typeof(DateTime)] = NullableList<DateTime>,
        [typeof(DateTimeOffset)] = NullableList<DateTimeOffset>,
        [typeof(DateOnly)] = NullableList<DateOnly>,
        [typeof(TimeOnly)] = NullableList<TimeOnly>,
        [typeof(TimeSpan)] = NullableList<TimeSpan>,
        [typeof(Guid)] = NullableList<Guid>,
    };

    private static JsonNode? NullableList<T>(DbDataReader reader, int ordinal, bool nested)
        where T : struct =>
        nested ? Nested(reader.GetFieldValue<List<List<T?>>>(ordinal)) : Nested(reader.GetFieldValue<List<T?>>(ordinal));

    /// <summary>A nested value (list element, struct field, map entry) as a JSON node.</summary>
    private static JsonNode? Nested(object? value) => value switch
    {
        null or DBNull => null,
        string text => JsonValue.Create(text),
        BigInteger big => BigNumber(big),
        System.IO.Stream stream => WireValues.ToJson(BytesOf(stream)),
        IDictionary dictionary => ObjectOf(dictionary),
        byte[] bytes => WireValues.ToJson(bytes),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(Nested)]),
        _ => WireValues.ToJson(value),
    };

    /// <summary>An integer beyond 64 bits as an exact JSON number (a JSON parser with big integers keeps every digit).</summary>
    private static JsonNode BigNumber(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? JsonValue.Create((long)value)
        : value >= ulong.MinValue && value <= ulong.MaxValue ? JsonValue.Create((ulong)value)
        : JsonNode.Parse(value.ToString(CultureInfo.InvariantCulture))!;

    private static JsonObject ObjectOf(IDictionary dictionary)
    {
        var result = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = entry.Key is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : entry.Key.ToString() ?? string.Empty;
            result[key] = Nested(entry.Value);
        }

        return result;
    }

    private static byte[] BytesOf(System.IO.Stream stream)
    {
        using (stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

}
