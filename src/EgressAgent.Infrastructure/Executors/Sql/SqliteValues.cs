using System.Data.Common;
using System.Globalization;

namespace EgressAgent.Infrastructure.Executors.Sql;

/// <summary>
/// SQLite stores five kinds of value; a column's declared type says what the value means. A
/// DATE column's text becomes a date, a DATETIME/TIMESTAMP column's text a date-time, a
/// DECIMAL/NUMERIC column's number a decimal, a BOOLEAN column's 0/1 a boolean — so they travel
/// with the tags of docs/protocol.md §5.3. A value that does not fit its declared type is passed as stored.
/// </summary>
internal static class SqliteValues
{
    public static Func<DbDataReader, int, object?> ReaderFor(string? declaredType)
    {
        var type = declaredType?.ToUpperInvariant() ?? string.Empty;
        if (type == "DATE")
        {
            return Date;
        }

        if (type.Contains("DATETIME", StringComparison.Ordinal) || type.Contains("TIMESTAMP", StringComparison.Ordinal))
        {
            return DateAndTime;
        }

        if (type.StartsWith("DECIMAL", StringComparison.Ordinal) || type.StartsWith("NUMERIC", StringComparison.Ordinal))
        {
            return Decimal;
        }

        return type is "BOOLEAN" or "BOOL" ? Boolean : Stored;
    }

    private static object? Stored(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetValue(ordinal);

    private static object? Date(DbDataReader reader, int ordinal) =>
        Stored(reader, ordinal) is string text && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : Stored(reader, ordinal);

    private static object? DateAndTime(DbDataReader reader, int ordinal)
    {
        var value = Stored(reader, ordinal);
        if (value is string text && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return parsed.Kind == DateTimeKind.Local ? parsed.ToUniversalTime() : parsed;
        }

        return value;
    }

    private static object? Decimal(DbDataReader reader, int ordinal) => Stored(reader, ordinal) switch
    {
        long integer => (decimal)integer,
        double real when double.IsFinite(real) && Math.Abs(real) < (double)decimal.MaxValue => (decimal)real,
        string text when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        var other => other,
    };

    private static object? Boolean(DbDataReader reader, int ordinal) => Stored(reader, ordinal) switch
    {
        0L => false,
        1L => true,
        var other => other,
    };
}
